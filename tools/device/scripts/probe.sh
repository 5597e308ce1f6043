#!/bin/sh
# What this server has and lacks for WebGPU figures (GPU, driver, Vulkan ICD, Dawn adapter).
# Exit 0: a hardware adapter; 3: none (the reasons are printed); 4: parts missing.
exec "$(dirname "$0")/run.sh" probe "$@"
