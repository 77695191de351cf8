#!/usr/bin/env python3
"""One full-batch training step of 2→h→1 (ReLU, sigmoid, BCE, SGD) in numpy (the notebook's code,
f64) and PyTorch (f32), single thread, at the sizes of issue 7 — and nnlab's, from
`cargo bench -p nnlab-core --bench step`, with the ratios, and nnlab's two-thread speed-ups; then
one epoch of mini-batches with Adam (issue 11: 800 rows × 8 units, batch 32, lr 0.01) in PyTorch
eager, in numpy written like the notebook, and nnlab's `epoch_800x8_adam_batch32`. All in one run,
on one machine.

    python3 bench/peers.py            (needs numpy; torch is used if installed)
    python3 bench/peers.py --skip-nnlab
    python3 bench/peers.py --epoch    (only the epoch: `cargo bench ... -- epoch` and its peers)

OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE are unset here: on some machines of this project they are set
for old OpenBLAS builds and slow a current numpy.
"""
import os, re, subprocess, sys, time, statistics

for name in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):
    os.environ.pop(name, None)
for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[name] = "1"

import numpy as np  # noqa: E402  (after the environment is set)

SIZES = [(800, 8), (10_000, 32), (100_000, 64), (1_000_000, 64)]
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def median_time(step, budget=3.0, most=200):
    step()  # warm up
    times = []
    start = time.perf_counter()
    while len(times) < most and (time.perf_counter() - start < budget or len(times) < 5):
        t = time.perf_counter(); step(); times.append(time.perf_counter() - t)
    return statistics.median(times)


def numpy_step(m, h):
    rs = np.random.RandomState(7)
    X = rs.randn(m, 2); y = (X[:, 1] > np.sin(2 * X[:, 0])).astype(float).reshape(-1, 1)
    W1 = rs.randn(2, h) * np.sqrt(2.0 / 2); b1 = np.zeros((1, h)); W2 = rs.randn(h, 1) * np.sqrt(1.0 / h); b2 = np.zeros((1, 1))
    def step():
        nonlocal W1, b1, W2, b2
        z1 = np.dot(X, W1) + b1; a1 = np.maximum(0, z1); z2 = np.dot(a1, W2) + b2
        a2 = 1 / (1 + np.exp(-np.clip(z2, -666, 666)))
        p = np.clip(a2, 1e-12, 1 - 1e-12); loss = -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))
        dz2 = a2 - y; dW2 = (1 / m) * np.dot(a1.T, dz2); db2 = (1 / m) * np.sum(dz2, axis=0, keepdims=True)
        dz1 = np.dot(dz2, W2.T) * (z1 > 0).astype(float); dW1 = (1 / m) * np.dot(X.T, dz1); db1 = (1 / m) * np.sum(dz1, axis=0, keepdims=True)
        W2 -= 0.1 * dW2; b2 -= 0.1 * db2; W1 -= 0.1 * dW1; b1 -= 0.1 * db1
        return loss
    return step


def torch_step(m, h):
    import torch
    torch.set_num_threads(1)
    torch.manual_seed(7)
    X = torch.randn(m, 2); y = (X[:, 1] > torch.sin(2 * X[:, 0])).float().reshape(-1, 1)
    net = torch.nn.Sequential(torch.nn.Linear(2, h), torch.nn.ReLU(), torch.nn.Linear(h, 1), torch.nn.Sigmoid())
    crit = torch.nn.BCELoss(); opt = torch.optim.SGD(net.parameters(), lr=0.1)
    def step():
        y_pred = net(X); loss = crit(y_pred, y); opt.zero_grad(); loss.backward(); opt.step()
        return loss.item()
    return step


def epoch_data(m=800):
    """The Rust bench's `problem`: m rows of 2 standard normals, labelled by the side of a curve."""
    rs = np.random.RandomState(7)
    X = rs.randn(m, 2); y = (X[:, 1] > np.sin(2 * X[:, 0])).astype(float).reshape(-1, 1)
    return rs, X, y


def numpy_epoch(h=8, batch=32, lr=0.01, betas=(0.9, 0.999), eps=1e-8):
    """One epoch as the notebook's Linear_NN_numpy would run it with mini-batches: a fresh
    permutation, then per batch forward, BCE, backward (dz2 = ŷ − y, dW = Xᵀ·dz / m, ...) and a
    hand-written Adam update of each parameter; the loss of every batch recorded."""
    rs, X, y = epoch_data()
    W1 = rs.randn(2, h) * np.sqrt(2.0 / 2); b1 = np.zeros((1, h)); W2 = rs.randn(h, 1) * np.sqrt(1.0 / h); b2 = np.zeros((1, 1))
    params = [W1, b1, W2, b2]
    moments = [(np.zeros_like(p), np.zeros_like(p)) for p in params]
    t = 0
    def epoch():
        nonlocal t
        perm = rs.permutation(len(X)); losses = []
        for start in range(0, len(X), batch):
            rows = perm[start:start + batch]; Xb, yb = X[rows], y[rows]; m = len(rows)
            z1 = np.dot(Xb, W1) + b1; a1 = np.maximum(0, z1); z2 = np.dot(a1, W2) + b2
            a2 = 1 / (1 + np.exp(-np.clip(z2, -666, 666)))
            p = np.clip(a2, 1e-12, 1 - 1e-12); loss = -np.mean(yb * np.log(p) + (1 - yb) * np.log(1 - p))
            dz2 = a2 - yb; dW2 = (1 / m) * np.dot(a1.T, dz2); db2 = (1 / m) * np.sum(dz2, axis=0, keepdims=True)
            dz1 = np.dot(dz2, W2.T) * (z1 > 0).astype(float); dW1 = (1 / m) * np.dot(Xb.T, dz1); db1 = (1 / m) * np.sum(dz1, axis=0, keepdims=True)
            t += 1
            for param, grad, (mo, v) in zip(params, (dW1, db1, dW2, db2), moments):
                mo *= betas[0]; mo += (1 - betas[0]) * grad
                v *= betas[1]; v += (1 - betas[1]) * grad * grad
                m_hat = mo / (1 - betas[0] ** t); v_hat = v / (1 - betas[1] ** t)
                param -= lr * m_hat / (np.sqrt(v_hat) + eps)
            losses.append(float(loss))
        return sum(losses)
    return epoch


def torch_epoch(h=8, batch=32, lr=0.01):
    """The same epoch in PyTorch eager (f32, one thread): a fresh torch.randperm, then per batch
    the forward pass, BCELoss, zero_grad, backward, Adam's step, and loss.item() recorded."""
    import torch
    torch.set_num_threads(1)
    torch.manual_seed(7)
    _, X, y = epoch_data()
    X = torch.from_numpy(X.astype(np.float32)); y = torch.from_numpy(y.astype(np.float32))
    net = torch.nn.Sequential(torch.nn.Linear(2, h), torch.nn.ReLU(), torch.nn.Linear(h, 1), torch.nn.Sigmoid())
    crit = torch.nn.BCELoss(); opt = torch.optim.Adam(net.parameters(), lr=lr)
    def epoch():
        perm = torch.randperm(len(X)); losses = []
        for start in range(0, len(X), batch):
            rows = perm[start:start + batch]; Xb, yb = X[rows], y[rows]
            loss = crit(net(Xb), yb); opt.zero_grad(); loss.backward(); opt.step()
            losses.append(loss.item())
        return sum(losses)
    return epoch


def nnlab_medians(only=None):
    """Medians of nnlab's step benchmark, by (variant, size): e.g. ('fast_f64', '800x8'), or
    ('epoch_800x8_adam_batch32', 'fast_f64'); `only` filters the benchmarks by name."""
    command = ["cargo", "bench", "-q", "-p", "nnlab-core", "--bench", "step"] + (["--", only] if only else [])
    out = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=True).stdout
    units = {"ns": 1e-9, "µs": 1e-6, "ms": 1e-3, "s": 1.0}
    medians, group = {}, None
    for line in out.splitlines():
        head = re.match(r"^[├╰]─ (\S+)\s*│", line)
        if head:
            group = head.group(1)
            continue
        row = re.match(r"^[│ ]\s+[├╰]─ (\S+)\s+([\d.]+) (ns|µs|ms|s)\s+│ ([\d.]+) (ns|µs|ms|s)\s+│ ([\d.]+) (ns|µs|ms|s)", line)
        if row and group:
            medians[(group, row.group(1))] = float(row.group(6)) * units[row.group(7)]
    return medians


def fmt(seconds):
    return f"{seconds * 1e6:9.1f} µs" if seconds < 1e-3 else f"{seconds * 1e3:9.2f} ms"


def main():
    have_torch = True
    try:
        import torch  # noqa: F401
    except ImportError:
        have_torch = False
    only_epoch = "--epoch" in sys.argv
    ours = {} if "--skip-nnlab" in sys.argv else nnlab_medians("epoch" if only_epoch else None)
    print(f"numpy {np.__version__}" + (f", torch {__import__('torch').__version__}" if have_torch else ", no torch"))
    if not only_epoch:
        steps(ours, have_torch)
    epoch(ours, have_torch)


def epoch(ours, have_torch):
    """Issue 11: one epoch of 800 × 8, batch 32, Adam, against PyTorch eager and numpy."""
    t_np = median_time(numpy_epoch())
    t_torch = median_time(torch_epoch()) if have_torch else float("nan")
    group = "epoch_800x8_adam_batch32"
    nan = float("nan")
    f64, f32, readable = (ours.get((group, name), nan) for name in ("fast_f64", "fast_f32", "readable"))
    print("\nOne epoch, 800 × 8, batch 32 (25 batches), Adam lr 0.01, one thread:")
    print(f"{'numpy f64':>12} {'torch f32':>12} {'nnlab f64':>12} {'nnlab f32':>12} {'readable':>12}"
          f" {'torch/f64':>10} {'torch/f32':>10} {'numpy/f64':>10} {'numpy/f32':>10}")
    print(f"{fmt(t_np):>12} {fmt(t_torch):>12} {fmt(f64):>12} {fmt(f32):>12} {fmt(readable):>12}"
          f" {t_torch / f64:9.1f}x {t_torch / f32:9.1f}x {t_np / f64:9.1f}x {t_np / f32:9.1f}x")
    print("(goals: ≥ 50× PyTorch, ≥ 20× numpy)")


def steps(ours, have_torch):
    print(f"{'size':>12} {'numpy f64':>12} {'torch f32':>12} {'nnlab f64':>12} {'nnlab f32':>12} {'f64 vs numpy':>13} {'f32 vs torch':>13}")
    for m, h in SIZES:
        size = f"{m}x{h}"
        t_np = median_time(numpy_step(m, h))
        t_torch = median_time(torch_step(m, h)) if have_torch else float("nan")
        f64 = ours.get(("fast_f64", size), float("nan"))
        f32 = ours.get(("fast_f32", size), float("nan"))
        print(f"{size:>12} {fmt(t_np):>12} {fmt(t_torch):>12} {fmt(f64):>12} {fmt(f32):>12}"
              f" {t_np / f64:12.1f}x {t_torch / f32:12.1f}x")
    if ours:
        print("\nnnlab on two threads (--threads 2), from the same cargo bench run:")
        print(f"{'size':>12} {'f64':>12} {'speed-up':>9} {'f32':>12} {'speed-up':>9}")
        for m, h in SIZES:
            size = f"{m}x{h}"
            row = [size]
            for dtype in ("f64", "f32"):
                one, two = ours.get((f"fast_{dtype}", size)), ours.get((f"fast_{dtype}_threads_2", size))
                row += [fmt(two) if two else "-", f"{one / two:8.2f}x" if one and two else "-"]
            print(f"{row[0]:>12} {row[1]:>12} {row[2]:>9} {row[3]:>12} {row[4]:>9}")


if __name__ == "__main__":
    main()
