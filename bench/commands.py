#!/usr/bin/env python3
"""Whole commands (issue 14): `nnlab train` from start to exit, beside the notebook's training
loops alone in numpy and PyTorch.

What is timed:

- nnlab: `nnlab train --samples N --hidden H --epochs E --quiet --threads 1 --out <fresh dir>`, the
  whole process (time.perf_counter around subprocess.run): start, making the data (make_moons,
  train_test_split, StandardScaler), training, and writing history.csv, model.safetensors,
  run.json and the three figures. Once in f64 (the default: the notebook's numpy section) and once
  with `--dtype f32` (the comparison for PyTorch, which computes in float32). The binary is copied
  to a temporary folder first, so that a rebuild of target/release/nnlab by someone else during
  the run does not change what is measured, and run once untimed per case to warm the page cache.
- numpy: the notebook's `Linear_NN_numpy` (its code, f64) and its training loop alone, timed inside
  this process after the imports, with the data already made and the model constructed: per epoch
  forward, binary_cross_entropy, backward (which updates the weights), predict(X_train) *after*
  the update, predict(X_test), np.linalg.norm of W1 and W2, all appended to the history.
- PyTorch: the notebook's `Linear_NN_torch` (nn.Sequential(Linear, ReLU, Linear, Sigmoid), its
  kaiming_normal_/xavier_normal_ init after torch.manual_seed(42)), BCELoss, optim.SGD, and its
  loop alone: per epoch forward, loss, zero_grad, backward, step, then under torch.no_grad the
  training accuracy of `y_pred` — the forward pass made *before* the step, as the notebook does —,
  the test accuracy of a fresh forward pass, torch.norm of both weights, and `.item()` of the
  loss, the two accuracies and the norms, as the notebook calls it. float32,
  torch.set_num_threads(1).

Both Python loops train nnlab's default problem (`nnlab train --help`): make_moons(N, noise=0.125,
random_state=42), train_test_split(test_size=0.2, random_state=42), StandardScaler, lr 0.1,
np.random.seed(42) before the numpy model. Neither prints (nnlab runs with --quiet). The script
checks that the numpy loop's history equals nnlab's f64 history.csv (the same weights, data and
arithmetic up to rounding), and reports how far PyTorch's is from `nnlab train --engine autograd`
(which starts from PyTorch's own seed).

Runs are interleaved (nnlab f64, nnlab f32, nnlab --epochs 1 with and without figures, numpy,
PyTorch, then again), so a slow phase of a shared machine falls on all of them alike; the table
gives medians of wall time, and a second table the medians of CPU time (user + sys of the nnlab
process, process_time() of the Python loop), which other jobs on the machine disturb less.
nnlab's `--epochs 1` run is its fixed cost (process, data, files, figures): how much of the whole
command is not training; `--epochs 1 --no-figures` shows how much of that the figures are.

    python3 bench/commands.py                 all three cases, 7 runs of the small one, 3 of the big
    python3 bench/commands.py --runs 5,2      5 runs of the small case, 2 of the big ones
    python3 bench/commands.py --quick         a smoke run: 1 run each, 2 epochs, no 1,000,000 rows
    python3 bench/commands.py --big-epochs 3  fewer epochs for the 100,000 and 1,000,000 rows cases
    python3 bench/commands.py --rows 100000 --runs 15
                                              only the 100,000 rows case, 15 runs
    python3 bench/commands.py --nnlab PATH    another binary (default target/release/nnlab, built
                                              with `cargo build --release -p nnlab-cli` if missing)

Goals (issue 14), ratios of medians of wall time, in one run of this script:
- 1000 rows (800 train), 2-8-1, 1000 epochs: nnlab ≥ 30× PyTorch (f32) and ≥ 15× numpy (f64);
- 100,000 and 1,000,000 rows, 2-64-1, 5 epochs: nnlab ≥ 10× PyTorch (numpy's ratio printed too).

OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE are unset, as in bench/peers.py; BLAS runs on one thread.
"""
import argparse, csv, os, resource, shutil, statistics, subprocess, sys, tempfile, time

for name in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):
    os.environ.pop(name, None)
for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[name] = "1"

import numpy as np  # noqa: E402  (after the environment is set)
import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
import torch.optim as optim  # noqa: E402
from sklearn.datasets import make_moons  # noqa: E402
from sklearn.model_selection import train_test_split  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# nnlab train's defaults (`nnlab train --help`), which are the notebook's.
SEED, NOISE, TEST_SIZE, LR = 42, 0.125, 0.2, 0.1


# ---- the data, as the notebook's data cell makes it -------------------------------------------

def make_data(n):
    X, Y = make_moons(n_samples=n, noise=NOISE, random_state=SEED)
    X_train, X_test, Y_train, Y_test = train_test_split(X, Y, test_size=TEST_SIZE, random_state=SEED)
    scaler = StandardScaler()
    X_train_scaled = scaler.fit_transform(X_train)
    X_test_scaled = scaler.transform(X_test)
    return X_train_scaled, X_test_scaled, Y_train, Y_test


# ---- the numpy section: the notebook's class, verbatim but for comments -----------------------

class Linear_NN_numpy:
    def __init__(self, input_size, hidden_size, output_size, learning_rate=0.01):
        self.W1 = np.random.randn(input_size, hidden_size) * np.sqrt(2.0 / input_size)
        self.b1 = np.zeros((1, hidden_size))
        self.W2 = np.random.randn(hidden_size, output_size) * np.sqrt(1.0 / hidden_size)
        self.b2 = np.zeros((1, output_size))
        self.lr = learning_rate

    def relu(self, x):
        return np.maximum(0, x)

    def relu_derivative(self, x):
        return (x > 0).astype(float)

    def sigmoid(self, x):
        return 1 / (1 + np.exp(-np.clip(x, -666, 666)))

    def binary_cross_entropy(self, y_true, y_pred):
        y_true = y_true.reshape(-1, 1)
        epsilon = 1e-12
        y_pred = np.clip(y_pred, epsilon, 1 - epsilon)
        return -np.mean(y_true * np.log(y_pred) + (1 - y_true) * np.log(1 - y_pred))

    def forward(self, X):
        self.z1 = np.dot(X, self.W1) + self.b1
        self.a1 = self.relu(self.z1)
        self.z2 = np.dot(self.a1, self.W2) + self.b2
        self.a2 = self.sigmoid(self.z2)
        return self.a2

    def backward(self, X, y_true, y_pred):
        m = X.shape[0]
        y_true = y_true.reshape(-1, 1)
        dz2 = y_pred - y_true.reshape(-1, 1)
        dW2 = (1 / m) * np.dot(self.a1.T, dz2)
        db2 = (1 / m) * np.sum(dz2, axis=0, keepdims=True)
        dz1 = np.dot(dz2, self.W2.T) * self.relu_derivative(self.z1)
        dW1 = (1 / m) * np.dot(X.T, dz1)
        db1 = (1 / m) * np.sum(dz1, axis=0, keepdims=True)
        self.W2 -= self.lr * dW2
        self.b2 -= self.lr * db2
        self.W1 -= self.lr * dW1
        self.b1 -= self.lr * db1

    def predict(self, X, threshold=0.5):
        y_pred = self.forward(X)
        return (y_pred > threshold).astype(int)


def numpy_loop(data, hidden, epochs):
    """The numpy section's training loop (without its print every 10 epochs), timed alone.
    Returns (wall seconds, CPU seconds, history)."""
    X_train_scaled, X_test_scaled, Y_train, Y_test = data
    np.random.seed(SEED)
    model = Linear_NN_numpy(input_size=2, hidden_size=hidden, output_size=1, learning_rate=LR)
    history = {"loss": [], "accuracy_train": [], "accuracy_test": [], "W1_norm": [], "W2_norm": []}
    wall, cpu = time.perf_counter(), time.process_time()
    for epoch in range(epochs):
        Y_pred = model.forward(X_train_scaled)
        loss = model.binary_cross_entropy(Y_train, Y_pred)
        model.backward(X_train_scaled, Y_train, Y_pred)
        Y_pred_train = model.predict(X_train_scaled)
        accuracy_train = np.mean(Y_pred_train.flatten() == Y_train)
        Y_pred_test = model.predict(X_test_scaled)
        accuracy_test = np.mean(Y_pred_test.flatten() == Y_test)
        history["loss"].append(loss)
        history["accuracy_train"].append(accuracy_train)
        history["accuracy_test"].append(accuracy_test)
        history["W1_norm"].append(np.linalg.norm(model.W1))
        history["W2_norm"].append(np.linalg.norm(model.W2))
    return time.perf_counter() - wall, time.process_time() - cpu, history


# ---- the PyTorch section: the notebook's module and loop ---------------------------------------

class Linear_NN_torch(nn.Module):
    def __init__(self, input_size, hidden_size, output_size):
        super().__init__()
        self.network = nn.Sequential(nn.Linear(input_size, hidden_size), nn.ReLU(),
                                     nn.Linear(hidden_size, output_size), nn.Sigmoid())
        nn.init.kaiming_normal_(self.network[0].weight, nonlinearity="relu")
        nn.init.constant_(self.network[0].bias, 0)
        nn.init.xavier_normal_(self.network[2].weight)
        nn.init.constant_(self.network[2].bias, 0)

    def forward(self, x):
        return self.network(x)


def torch_tensors(data):
    """The notebook's conversion cell (torch.FloatTensor), outside the timed loop."""
    X_train_scaled, X_test_scaled, Y_train, Y_test = data
    return (torch.FloatTensor(X_train_scaled), torch.FloatTensor(Y_train).reshape(-1, 1),
            torch.FloatTensor(X_test_scaled), torch.FloatTensor(Y_test).reshape(-1, 1))


def torch_loop(tensors, hidden, epochs):
    """The PyTorch section's training loop (without its print every 10 epochs), timed alone.
    The training accuracy counts the hits of `y_pred`, the forward pass before optimizer.step()."""
    X_train_torch, Y_train_torch, X_test_torch, Y_test_torch = tensors
    torch.manual_seed(SEED)
    model = Linear_NN_torch(input_size=2, hidden_size=hidden, output_size=1)
    history = {"loss": [], "accuracy_train": [], "accuracy_test": [], "W1_norm": [], "W2_norm": []}
    criterion = nn.BCELoss()
    optimizer = optim.SGD(model.parameters(), lr=LR)
    wall, cpu = time.perf_counter(), time.process_time()
    for epoch in range(epochs):
        y_pred = model(X_train_torch)
        loss = criterion(y_pred, Y_train_torch)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        with torch.no_grad():
            train_pred = (y_pred > 0.5).float()
            train_accuracy = (train_pred == Y_train_torch).float().mean()
            test_outputs = model(X_test_torch)
            test_pred = (test_outputs > 0.5).float()
            test_accuracy = (test_pred == Y_test_torch).float().mean()
            W1_norm = torch.norm(model.network[0].weight).item()
            W2_norm = torch.norm(model.network[2].weight).item()
        history["loss"].append(loss.item())
        history["accuracy_train"].append(train_accuracy.item())
        history["accuracy_test"].append(test_accuracy.item())
        history["W1_norm"].append(W1_norm)
        history["W2_norm"].append(W2_norm)
    return time.perf_counter() - wall, time.process_time() - cpu, history


# ---- nnlab, the whole process ------------------------------------------------------------------

def nnlab_binary(path, tmp):
    """A private copy of the binary (built first if missing), so a concurrent rebuild of
    target/release/nnlab cannot swap the program in the middle of the measurements."""
    if path is None:
        path = os.path.join(ROOT, "target", "release", "nnlab")
        if not os.path.exists(path):
            print("building: cargo build --release -p nnlab-cli", file=sys.stderr)
            subprocess.run(["cargo", "build", "--release", "-p", "nnlab-cli"], cwd=ROOT, check=True)
    copy = os.path.join(tmp, "nnlab")
    shutil.copy2(path, copy)
    return copy


class Nnlab:
    def __init__(self, binary, tmp):
        self.binary, self.tmp, self.count = binary, tmp, 0

    def run(self, n, hidden, epochs, extra=(), keep_history=False, threads=("--threads", "1")):
        """One whole `nnlab train` into a fresh folder; (wall s, CPU s of the child, history or None)."""
        self.count += 1
        out = os.path.join(self.tmp, f"run{self.count}")
        argv = [self.binary, "train", "--samples", str(n), "--hidden", str(hidden),
                "--epochs", str(epochs), "--quiet", "--out", out, *threads, *extra]
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        wall = time.perf_counter()
        done = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        wall = time.perf_counter() - wall
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if done.returncode != 0:
            sys.exit(f"{' '.join(argv)} exited {done.returncode}:\n{done.stderr}")
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        history = read_history(os.path.join(out, "history.csv")) if keep_history else None
        shutil.rmtree(out)
        return wall, cpu, history


def read_history(path):
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    return {"loss": [float(r["loss"]) for r in rows],
            "accuracy_train": [float(r["train_accuracy"]) for r in rows],
            "accuracy_test": [float(r["test_accuracy"]) for r in rows],
            "W1_norm": [float(r["w1_norm"]) for r in rows],
            "W2_norm": [float(r["w2_norm"]) for r in rows]}


def largest_difference(a, b):
    """{column: max |a - b| over the epochs} of two histories."""
    return {k: max(abs(float(x) - float(y)) for x, y in zip(a[k], b[k])) for k in a}


# ---- the measurements --------------------------------------------------------------------------

def measure_case(nnlab, n, hidden, epochs, runs, warm_epochs):
    """Interleaved runs of one case; returns {side: [(wall, cpu), ...]} and the checks."""
    data = make_data(n)
    tensors = torch_tensors(data)
    # untimed: page cache for nnlab, first-call costs for numpy and torch
    nnlab.run(n, hidden, 1)
    numpy_loop(data, hidden, warm_epochs)
    torch_loop(tensors, hidden, warm_epochs)
    times = {side: [] for side in ("f64", "f32", "fixed", "fixed_nofig", "numpy", "torch")}
    checks = {}
    for r in range(runs):
        wall, cpu, ours = nnlab.run(n, hidden, epochs, keep_history=(r == 0))
        times["f64"].append((wall, cpu))
        wall, cpu, ours32 = nnlab.run(n, hidden, epochs, ["--dtype", "f32"], keep_history=(r == 0))
        times["f32"].append((wall, cpu))
        wall, cpu, _ = nnlab.run(n, hidden, 1)
        times["fixed"].append((wall, cpu))
        wall, cpu, _ = nnlab.run(n, hidden, 1, ["--no-figures"])
        times["fixed_nofig"].append((wall, cpu))
        wall, cpu, hist_np = numpy_loop(data, hidden, epochs)
        times["numpy"].append((wall, cpu))
        wall, cpu, hist_torch = torch_loop(tensors, hidden, epochs)
        times["torch"].append((wall, cpu))
        if r == 0:
            checks["numpy vs nnlab f64"] = largest_difference(hist_np, ours)
            checks["final"] = {"nnlab f64": final(ours), "nnlab f32": final(ours32),
                               "numpy": final(hist_np), "PyTorch": final(hist_torch)}
            checks["torch"] = hist_torch
    return times, checks


def final(history):
    return (history["loss"][-1], history["accuracy_train"][-1], history["accuracy_test"][-1])


def medians(samples):
    return statistics.median(w for w, _ in samples), statistics.median(c for _, c in samples)


def fmt(seconds):
    return f"{seconds * 1e3:.1f} ms" if seconds < 1 else f"{seconds:.2f} s"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", default="7,3", help="runs of the small case[,of the big ones] (default 7,3)")
    parser.add_argument("--big-epochs", type=int, default=5, help="epochs of the 100,000 and 1,000,000 rows cases (default 5)")
    parser.add_argument("--quick", action="store_true", help="smoke run: 1 run each, 2 big epochs, no 1,000,000 rows")
    parser.add_argument("--nnlab", help="the nnlab binary (default target/release/nnlab)")
    parser.add_argument("--rows", help="only the cases of these rows, e.g. 100000 or 1000,100000 (default: all three)")
    args = parser.parse_args()
    small_runs, big_runs = (int(x) for x in (args.runs.split(",") * 2)[:2])
    big_epochs = args.big_epochs
    cases = [(1000, 8, 1000, small_runs), (100_000, 64, big_epochs, big_runs), (1_000_000, 64, big_epochs, big_runs)]
    if args.quick:
        cases = [(1000, 8, 1000, 1), (100_000, 64, min(big_epochs, 2), 1)]
    if args.rows:
        wanted = {int(r) for r in args.rows.split(",")}
        cases = [case for case in cases if case[0] in wanted]
        if not cases:
            parser.error(f"--rows {args.rows}: the cases have 1000, 100000 and 1000000 rows")

    torch.set_num_threads(1)
    print(f"numpy {np.__version__}, torch {torch.__version__} ({torch.get_num_threads()} thread),"
          f" one BLAS thread; nnlab --threads 1; load average before: {os.getloadavg()[0]:.2f}")
    results = []
    with tempfile.TemporaryDirectory(prefix="nnlab-commands-") as tmp:
        nnlab = Nnlab(nnlab_binary(args.nnlab, tmp), tmp)
        for n, hidden, epochs, runs in cases:
            label = f"{n:,} rows ({int(n * (1 - TEST_SIZE)):,} train), 2-{hidden}-1, {epochs} epochs"
            print(f"  {label}: {runs} interleaved runs ...", file=sys.stderr, flush=True)
            started = time.perf_counter()
            times, checks = measure_case(nnlab, n, hidden, epochs, runs, warm_epochs=min(epochs, 20) if n <= 1000 else 1)
            print(f"    ({time.perf_counter() - started:.0f} s)", file=sys.stderr, flush=True)
            results.append((n, hidden, epochs, runs, label, times, checks))
    load = os.getloadavg()

    for title, which in (("Wall time, medians", 0), ("CPU time (user + sys), medians", 1)):
        print(f"\n{title}:\n")
        print("| case | nnlab f64 | nnlab f32 | numpy loop | PyTorch loop | numpy ÷ nnlab f64 | PyTorch ÷ nnlab f32 | goal | met |")
        print("|---|---|---|---|---|---|---|---|---|")
        for n, hidden, epochs, runs, label, times, _ in results:
            m = {side: medians(s)[which] for side, s in times.items()}
            r_np, r_torch = m["numpy"] / m["f64"], m["torch"] / m["f32"]
            if n <= 1000:
                goal = "PyTorch ≥ 30×, numpy ≥ 15×"
                met = f"PyTorch {'yes' if r_torch >= 30 else 'no'}, numpy {'yes' if r_np >= 15 else 'no'}"
            else:
                goal, met = "PyTorch ≥ 10×", "yes" if r_torch >= 10 else "no"
            if which == 1:
                met = "(goals are on wall time)"
            print(f"| {label}, {runs} runs | {fmt(m['f64'])} | {fmt(m['f32'])} | {fmt(m['numpy'])} | {fmt(m['torch'])}"
                  f" | {r_np:.1f}× | {r_torch:.1f}× | {goal} | {met} |")

    print("\nnnlab's fixed cost, `--epochs 1` (f64): process, data, one epoch, history, model, run.json, figures;"
          " and the same with --no-figures:\n")
    print("| rows × hidden | --epochs 1 wall | its CPU | --epochs 1 --no-figures wall | its CPU | whole f64 command | fixed share of it | f64 runs, min – max wall |")
    print("|---|---|---|---|---|---|---|---|")
    for n, hidden, epochs, runs, label, times, _ in results:
        fixed_wall, fixed_cpu = medians(times["fixed"])
        bare_wall, bare_cpu = medians(times["fixed_nofig"])
        whole = medians(times["f64"])[0]
        walls = [w for w, _ in times["f64"]]
        print(f"| {n:,} × {hidden} | {fmt(fixed_wall)} | {fmt(fixed_cpu)} | {fmt(bare_wall)} | {fmt(bare_cpu)} | {fmt(whole)} | {fixed_wall / whole:.0%}"
              f" | {fmt(min(walls))} – {fmt(max(walls))} |")

    print("\nChecks (first run of each case): the numpy loop against nnlab's f64 history.csv (max |difference|"
          " over all epochs), and the final loss / train acc / test acc of each side:")
    for n, hidden, epochs, runs, label, times, checks in results:
        diff = checks["numpy vs nnlab f64"]
        print(f"  {label}: numpy vs nnlab f64: " + ", ".join(f"{k} {v:.1e}" for k, v in diff.items()))
        print("    final: " + "; ".join(f"{side} {l:.4f}/{a:.4f}/{t:.4f}" for side, (l, a, t) in checks["final"].items()))
    # PyTorch's loop against nnlab's autograd engine (PyTorch's seed and init, train accuracy before
    # the update), on the small case: one untimed run, to show the loop is the notebook's.
    small = next((r for r in results if r[0] == 1000), None)
    if small is not None:
        with tempfile.TemporaryDirectory(prefix="nnlab-commands-") as tmp:
            nnlab = Nnlab(nnlab_binary(args.nnlab, tmp), tmp)
            _, _, auto = nnlab.run(1000, small[1], small[2], ["--engine", "autograd"], keep_history=True, threads=())
        diff = largest_difference(small[6]["torch"], auto)
        print(f"  PyTorch loop vs `nnlab train --engine autograd` (f32, 1000 rows, {small[2]} epochs): "
              + ", ".join(f"{k} {v:.1e}" for k, v in diff.items()))
    print(f"\nload average after: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} (1, 5, 15 min; {os.cpu_count()} CPUs)")


if __name__ == "__main__":
    main()
