#!/usr/bin/env bash
# Install what is missing, build, and show the main job on the embedded
# default store (a local directory): a model and its data go into git as
# pointers, their bytes into the store, a commit of the model needs its
# lineage record, and every version comes back byte for byte.
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
# a step that mlv must refuse
refused() {
	printf '\n\033[1m$ %s\033[0m   (mlv must refuse this)\n' "$*"
	if "$@"; then
		echo "demo: expected mlv to refuse: $*" >&2
		exit 1
	fi
}

cd "$demo"
git init -q fraud && cd fraud
step git mlv install
step git mlv track --model "*.onnx"
step git mlv track "data/**"
mkdir -p data models configs
head -c 64000000 /dev/urandom >models/fraud.onnx
head -c 8000000 /dev/urandom >data/train.csv
printf 'learning_rate: 0.001\nmax_depth: 6\n' >configs/train.yaml
step git add .
refused git commit -qm "fraud model v1"
step git mlv sidecar init models/fraud.onnx --data data/train.csv \
	--config configs/train.yaml --param learning_rate=0.001 --metric auc=0.91 \
	--version 1.0.0
step git add models/fraud.onnx.mlv
step git commit -qm "fraud model v1"
step git cat-file -p HEAD:models/fraud.onnx
step git mlv ls-files --long
v1=$(sha256sum models/fraud.onnx)

# retrain: the new model needs an updated record
head -c 64000000 /dev/urandom >models/fraud.onnx
refused git commit -qam "fraud model v2"
step git mlv sidecar update models/fraud.onnx --version 1.1.0 --metric auc=0.93
step git commit -qam "fraud model v2"
step git mlv verify

# roll back to v1 and forward again: the bytes come from the local store
step git checkout -q HEAD~1
[ "$(sha256sum models/fraud.onnx)" = "$v1" ] && echo "models/fraud.onnx is v1 again, byte for byte"
step git checkout -q main
step git mlv status
step git mlv fsck
