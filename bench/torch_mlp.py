"""The reference MLP in PyTorch eager, with the loop a PyTorch user would write.

Same network, initialisation and optimiser settings as ours (Keras' defaults: glorot-uniform
kernels, zero biases, batch norm momentum 0.99 in Keras' sense = 0.01 in PyTorch's, epsilon
1e-3, Adam epsilon 1e-7) and the same loop shape: shuffle an index tensor each epoch, slice
each batch of 256 out of one tensor, read the batch loss and accuracy back each step (as our
loop does for the running averages), then a validation pass in eval mode. An epoch's time
covers the training pass and the validation pass.
"""

import time

import torch
from torch import nn
from torch.nn import functional as F

import common


def build_model():
    layers = []
    fan_in = 784
    for width in (256, 128):
        layers += [
            nn.Linear(fan_in, width),
            nn.BatchNorm1d(width, eps=1e-3, momentum=0.01),
            nn.ReLU(),
            nn.Dropout(0.2),
        ]
        fan_in = width
    layers.append(nn.Linear(fan_in, 10))
    model = nn.Sequential(*layers)
    for layer in model:
        if isinstance(layer, nn.Linear):
            nn.init.xavier_uniform_(layer.weight)
            nn.init.zeros_(layer.bias)
    return model


def evaluate(model, xs, ys, chunk):
    model.eval()
    with torch.no_grad():
        logits = torch.cat([model(xs[i : i + chunk]) for i in range(0, len(xs), chunk)])
        loss = F.cross_entropy(logits, ys).item()
        accuracy = (logits.argmax(1) == ys).double().mean().item()
    return loss, accuracy


def train_epoch(model, optimizer, xs, ys, generator, batch):
    model.train()
    n = len(xs)
    order = torch.randperm(n, generator=generator)
    loss_sum = correct_sum = 0.0
    for start in range(0, n, batch):
        rows = order[start : start + batch]
        xb, yb = xs.index_select(0, rows), ys.index_select(0, rows)
        logits = model(xb)
        loss = F.cross_entropy(logits, yb)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        loss_sum += loss.item() * len(rows)
        correct_sum += (logits.argmax(1) == yb).double().mean().item() * len(rows)
    return loss_sum / n, correct_sum / n


def main():
    args = common.parse_args(__doc__)
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    (x, y), (xv, yv), (xt, yt) = common.load(args.data, args.seed)
    x, y = torch.from_numpy(x), torch.from_numpy(y)
    xv, yv = torch.from_numpy(xv), torch.from_numpy(yv)
    xt, yt = torch.from_numpy(xt), torch.from_numpy(yt)
    model = build_model()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-7)
    generator = torch.Generator().manual_seed(args.seed)
    epoch_seconds = []
    for _ in range(args.epochs):
        started = time.perf_counter()
        train_epoch(model, optimizer, x, y, generator, 256)
        _, val_accuracy = evaluate(model, xv, yv, args.eval_batch_size)
        epoch_seconds.append(time.perf_counter() - started)
    eval_seconds = []
    for _ in range(args.eval_repeats):
        started = time.perf_counter()
        _, test_accuracy = evaluate(model, xt, yt, args.eval_batch_size)
        eval_seconds.append(time.perf_counter() - started)
    common.report(
        {
            "epoch_seconds": epoch_seconds,
            "eval_seconds": eval_seconds,
            "threads": torch.get_num_threads(),
            "val_accuracy": val_accuracy,
            "version": torch.__version__,
        }
    )


if __name__ == "__main__":
    main()
