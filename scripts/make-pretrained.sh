#!/usr/bin/env bash
# Makes the playground's pretrained checkpoint, data/pretrained/fashion-mnist-small-cnn.safetensors: the
# small CNN of examples/architectures/small-cnn.json trained with `convnet train` on Debian's full
# Fashion-MNIST (apt-get install dataset-fashion-mnist) for 3 epochs of Adam with a cosine schedule.
# The run's outputs (training state, metrics, figures) go to convnet-pretrained/; the checkpoint and the
# run's log are copied into data/pretrained/, its learning curves and confusion matrix into docs/images/.
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
mkdir -p docs/images
cp "$work/model-curves.png" docs/images/pretrained-curves.png
cp "$work/model-confusion.png" docs/images/pretrained-confusion.png
