#!/usr/bin/env bash
# The GPU against PyTorch on the same GPU (issue 14): one epoch of the notebook's PyTorch loop at
# 200,000 training rows x 256 hidden units, nnlab's autograd engine (`--engine autograd --device
# cuda`, candle's CUDA backend, float32) beside PyTorch's eager loop. Goal: nnlab's epoch within
# 1.5x of PyTorch's.
#
# Run it on a machine with an NVIDIA GPU, its driver and PyTorch with CUDA (the device machines
# this project is sometimes lent have all three but no Rust): build the binary here with
#
#     cargo build --release -p nnlab-cli --features cuda      (needs the CUDA toolkit: nvcc)
#     mkdir -p carry && xz -T0 -c target/release/nnlab > carry/nnlab.xz
#
# and there run `xz -dc carry/nnlab.xz > /tmp/nnlab && chmod +x /tmp/nnlab && bash bench/gpu.sh
# /tmp/nnlab`. The binary also runs where there is no GPU (then `--device cuda` is refused).
#
# nnlab's epoch is measured from whole commands: the median time of E2 epochs minus that of E1
# epochs, divided by E2 - E1, so that start-up, data and files cancel out. PyTorch's is the median
# of its timed epochs (torch.cuda.synchronize after each), after warm-up epochs. Both loops do the
# notebook's per-epoch work: forward, BCE loss, backward, SGD step, the training accuracy of the
# forward pass, the test accuracy, both weight norms, and `.item()` of each.
set -euo pipefail

NNLAB=${1:-target/release/nnlab}
ROWS=${ROWS:-250000}        # 200,000 training rows after the 80/20 split
HIDDEN=${HIDDEN:-256}
E1=${E1:-10}
E2=${E2:-110}
RUNS=${RUNS:-5}
PYTHON=${PYTHON:-python3}
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT

nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader || true
"$NNLAB" --version

# nnlab must agree with the CPU before its speed means anything.
"$NNLAB" train --engine autograd --device cuda --samples 2000 --epochs 20 --quiet --out "$OUT/gpu_check"
"$NNLAB" train --engine autograd --samples 2000 --epochs 20 --quiet --out "$OUT/cpu_check"
"$PYTHON" - "$OUT/gpu_check/history.csv" "$OUT/cpu_check/history.csv" <<'PY'
import csv, sys
rows = [list(csv.DictReader(open(p))) for p in sys.argv[1:3]]
worst = max(abs(float(g["loss"]) - float(c["loss"])) for g, c in zip(*rows))
print(f"GPU against CPU, 20 epochs of 1,600 rows: largest loss difference {worst:.2e}")
PY

seconds() {  # the wall time of one nnlab train of $1 epochs
    rm -rf "$OUT/run"
    "$PYTHON" -c 'import subprocess, sys, time
start = time.perf_counter()
subprocess.run(sys.argv[1:], check=True)
print(time.perf_counter() - start)' "$NNLAB" train --engine autograd --device cuda \
        --samples "$ROWS" --hidden "$HIDDEN" --epochs "$1" --no-figures --quiet --out "$OUT/run"
}
seconds 2 >/dev/null  # warm-up: the driver, the kernels' PTX, the page cache
short=() long=()
for _ in $(seq "$RUNS"); do
    short+=("$(seconds "$E1")")
    long+=("$(seconds "$E2")")
done

"$PYTHON" - "$ROWS" "$HIDDEN" "$E1" "$E2" "${short[*]}" "${long[*]}" <<'PY'
import statistics, sys, time
import torch
from torch import nn
from sklearn.datasets import make_moons
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

rows, hidden, e1, e2 = map(int, sys.argv[1:5])
short = [float(t) for t in sys.argv[5].split()]
long = [float(t) for t in sys.argv[6].split()]
nnlab_epoch = (statistics.median(long) - statistics.median(short)) / (e2 - e1)

X, y = make_moons(rows, noise=0.125, random_state=42)
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, random_state=42)
scaler = StandardScaler().fit(X_train)
dev = torch.device("cuda")
Xtr = torch.tensor(scaler.transform(X_train), dtype=torch.float32, device=dev)
Xte = torch.tensor(scaler.transform(X_test), dtype=torch.float32, device=dev)
ytr = torch.tensor(y_train, dtype=torch.float32, device=dev).unsqueeze(1)
yte = torch.tensor(y_test, dtype=torch.float32, device=dev).unsqueeze(1)
torch.manual_seed(42)
model = nn.Sequential(nn.Linear(2, hidden), nn.ReLU(), nn.Linear(hidden, 1), nn.Sigmoid()).to(dev)
loss_fn, opt = nn.BCELoss(), torch.optim.SGD(model.parameters(), lr=0.1)

def epoch():
    y_pred = model(Xtr)
    loss = loss_fn(y_pred, ytr)
    opt.zero_grad()
    loss.backward()
    opt.step()
    with torch.no_grad():
        train_acc = ((y_pred > 0.5).float() == ytr).float().mean()
        test_acc = ((model(Xte) > 0.5).float() == yte).float().mean()
        norms = [torch.norm(model[0].weight), torch.norm(model[2].weight)]
    return loss.item(), train_acc.item(), test_acc.item(), [n.item() for n in norms]

for _ in range(20):
    epoch()
torch.cuda.synchronize()
times = []
for _ in range(200):
    start = time.perf_counter()
    epoch()
    torch.cuda.synchronize()
    times.append(time.perf_counter() - start)
torch_epoch = statistics.median(times)
print(f"| {rows * 4 // 5:,} rows x {hidden} | nnlab (candle, cuda, f32) {nnlab_epoch * 1e3:.2f} ms "
      f"| PyTorch {torch_epoch * 1e3:.2f} ms | nnlab / PyTorch {nnlab_epoch / torch_epoch:.2f}x "
      f"| goal <= 1.5x: {'met' if nnlab_epoch <= 1.5 * torch_epoch else 'NOT met'} |")
print(f"(nnlab: median of {len(short)} runs of {e1} and of {e2} epochs; "
      f"PyTorch {torch.__version__}: median of 200 epochs)")
PY
