#!/usr/bin/env bash
# Proves that `npm ci` installs this project with the npm that ships with Node 20 (npm 10) and with
# npm 11, with no environment variable set: onnxruntime-node (a dependency of transformers.js whose
# install script downloads binaries) is replaced by the empty package in tools/stubs/.
# Each npm installs into a scratch copy of the manifests, so the checkout's node_modules is untouched.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT

for major in 10 11; do
  dir="$scratch/npm$major"
  mkdir -p "$dir/tools"
  cp "$root/package.json" "$root/package-lock.json" "$dir/"
  cp -r "$root/tools/stubs" "$dir/tools/"
  echo "npm $major: npm ci in a scratch copy"
  # No ONNXRUNTIME_NODE_INSTALL or any other install switch: a newcomer's shell.
  (cd "$dir" && env -u ONNXRUNTIME_NODE_INSTALL -u npm_config_ignore_scripts \
    npx --yes "npm@$major" ci --no-audit --no-fund --loglevel=error)
  version="$(cd "$dir" && npx --yes "npm@$major" --version)"
  stub="$(node -p "require('$dir/node_modules/onnxruntime-node/package.json').description")"
  case "$stub" in
    Stands\ in*) echo "npm $version: installed; onnxruntime-node is the project's stand-in" ;;
    *) echo "npm $version: onnxruntime-node is not the stand-in: $stub" >&2; exit 1 ;;
  esac
done
