#!/usr/bin/env bash
# Install what is missing, build, and show the main job on the embedded
# default store (a local directory): a model and its data go into git as
# pointers, their bytes into the store, and come back byte for byte.
set -eu
cd "$(dirname "$0")/.."
scripts/setup.sh build
make -j"$(nproc)" >/dev/null

demo=$(mktemp -d "${TMPDIR:-/tmp}/mlv-demo.XXXXXX")
trap 'rm -rf "$demo"' EXIT
export PATH="$PWD/bin:$PATH" HOME="$demo/home"
export GIT_AUTHOR_NAME=Demo GIT_AUTHOR_EMAIL=demo@example.com
export GIT_COMMITTER_NAME=Demo GIT_COMMITTER_EMAIL=demo@example.com
mkdir -p "$HOME"
git config --global init.defaultBranch main

step() { printf '\n\033[1m$ %s\033[0m\n' "$*"; "$@"; }

cd "$demo"
git init -q fraud && cd fraud
step git mlv install
step git mlv track --model "*.onnx"
step git mlv track "data/**"
mkdir -p data models
head -c 64000000 /dev/urandom >models/fraud.onnx
head -c 8000000 /dev/urandom >data/train.csv
step git add .
step git commit -qm "fraud model v1"
step git cat-file -p HEAD:models/fraud.onnx
step git mlv ls-files --long
before=$(sha256sum models/fraud.onnx)
step rm models/fraud.onnx data/train.csv
step git checkout -- .
step git mlv status
[ "$(sha256sum models/fraud.onnx)" = "$before" ] && echo "models/fraud.onnx is back, byte for byte"
step git mlv fsck
