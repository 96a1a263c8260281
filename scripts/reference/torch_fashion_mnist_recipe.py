"""PyTorch's side of the README's full Fashion-MNIST recipe: the bench CNN trained with Adam (lr 1e-3),
batch 64, a cosine learning-rate schedule stepped every epoch (CosineAnnealingLR, T_max = epochs), inputs
normalised by the training set's mean and std, on Debian's full Fashion-MNIST — the same recipe as

    convnet train --data /usr/share/datasets/fashion-mnist --optimizer adam --schedule cosine --epochs 10

Prints the test accuracy after every epoch and the wall-clock time, one run per seed given:

    /usr/bin/python3 scripts/reference/torch_fashion_mnist_recipe.py 10 0
"""
import gzip
import sys
import time

import numpy as np
import torch
import torch.nn as nn

torch.set_num_threads(2)
DATA = '/usr/share/datasets/fashion-mnist/'


def images(name):
    raw = gzip.open(DATA + name).read()
    count = int.from_bytes(raw[4:8], 'big')
    pixels = np.frombuffer(raw, np.uint8, offset=16).reshape(count, 1, 28, 28)
    return torch.tensor(pixels.astype(np.float32) / 255)


def labels(name):
    return torch.tensor(np.frombuffer(gzip.open(DATA + name).read(), np.uint8, offset=8).astype(np.int64))


def main():
    epochs = int(sys.argv[1])
    seeds = [int(s) for s in sys.argv[2:]] or [0]
    x_train, y_train = images('train-images-idx3-ubyte.gz'), labels('train-labels-idx1-ubyte.gz')
    x_test, y_test = images('t10k-images-idx3-ubyte.gz'), labels('t10k-labels-idx1-ubyte.gz')
    mean, std = x_train.mean(), x_train.std()
    x_train, x_test = (x_train - mean) / std, (x_test - mean) / std
    for seed in seeds:
        torch.manual_seed(seed)
        net = nn.Sequential(
            nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Flatten(), nn.Linear(3136, 128), nn.ReLU(), nn.Linear(128, 10),
        )
        optimizer = torch.optim.Adam(net.parameters(), lr=1e-3)
        schedule = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, epochs)
        start = time.time()
        for epoch in range(epochs):
            net.train()
            order = torch.randperm(len(x_train))
            for i in range(0, len(x_train), 64):
                batch = order[i:i + 64]
                optimizer.zero_grad()
                nn.functional.cross_entropy(net(x_train[batch]), y_train[batch]).backward()
                optimizer.step()
            schedule.step()
            net.eval()
            with torch.no_grad():
                accuracy = (net(x_test).argmax(1) == y_test).float().mean().item()
            print(f'seed {seed} epoch {epoch + 1}: test accuracy {accuracy * 100:.2f}% '
                  f'({time.time() - start:.0f} s)', flush=True)


if __name__ == '__main__':
    main()
