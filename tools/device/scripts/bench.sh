#!/bin/sh
# Makes the random-weight models once (in the work folder), then benches WebGPU and WASM side by
# side; the JSON and Markdown reports go to the work folder's results/.
exec "$(dirname "$0")/run.sh" bench "$@"
