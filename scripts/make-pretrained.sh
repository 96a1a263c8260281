#!/usr/bin/env bash
# Makes the playground's pretrained checkpoint, data/pretrained/fashion-mnist-small-cnn.safetensors: the
# small CNN of examples/architectures/small-cnn.json trained with `convnet train` on Debian's full
# Fashion-MNIST (apt-get install dataset-fashion-mnist) for 3 epochs of Adam with a cosine schedule.
# The run's outputs (training state, metrics, curves) go to convnet-pretrained/; the checkpoint, its
# metrics and its curves are copied into data/pretrained/.
set -euo pipefail
cd "$(dirname "$0")/.."

work=convnet-pretrained
node --import tsx src/cli/main.ts train \
  --data /usr/share/datasets/fashion-mnist \
  --model examples/architectures/small-cnn.json \
  --optimizer adam --schedule cosine --epochs 3 --seed 0 \
  --backend wasm \
  --out "$work/model.safetensors" | tee "$work.log"

mkdir -p data/pretrained
cp "$work/model.safetensors" data/pretrained/fashion-mnist-small-cnn.safetensors
cp "$work.log" data/pretrained/fashion-mnist-small-cnn.log
