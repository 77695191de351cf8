#!/usr/bin/env python3
"""Making a dataset, nnlab beside scikit-learn (issue 14): make_moons, make_circles or make_blobs,
then train_test_split(test_size=0.2, random_state=42), then StandardScaler fitted on the training
rows and applied to both splits — at 1,000,000 and 100,000 rows, with nnlab's defaults (those of
`nnlab data` / `nnlab train` and the notebook: noise 0.125, circles' factor 0.8, 3 blobs of 2
features with cluster_std 1.0 in center_box (-10, 10), random_state 42).

    python3 bench/data_peers.py              scikit-learn, then nnlab (`cargo bench -p nnlab-data
                                             --bench generate`, on all cores and on one), then
                                             scikit-learn again; the medians side by side
    python3 bench/data_peers.py --skip-nnlab  scikit-learn only
    python3 bench/data_peers.py --before DIR  also runs the same bench in DIR, another copy of the
                                             workspace (say, the commit before a change), for a
                                             before/after column
    python3 bench/data_peers.py --reps N      N runs of scikit-learn per round (default 7)
    python3 bench/data_peers.py --fixture     writes crates/nnlab-data/tests/large_cases.json: the
                                             SHA-256 of every array of the pipeline for larger
                                             datasets, which tests/large_parity.rs checks nnlab's
                                             output against, bit for bit

scikit-learn's timings are taken before and after nnlab's, and their median is over both rounds,
so that a change in the load of a shared machine during the run falls on both sides.
"""
import hashlib, json, os, re, statistics, subprocess, sys, time

import numpy as np
import sklearn
from sklearn.datasets import make_blobs, make_circles, make_moons
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIXTURE = os.path.join(ROOT, "crates", "nnlab-data", "tests", "large_cases.json")

# nnlab's defaults (crates/nnlab-app/src/data.rs: DEFAULT_NOISE, DEFAULT_FACTOR, DEFAULT_CENTERS,
# DEFAULT_CLUSTER_STD, DEFAULT_FEATURES, CENTER_BOX; the seed of `nnlab data` and the notebook).
SEED = 42
GENERATORS = {
    "moons": lambda n: make_moons(n_samples=n, noise=0.125, random_state=SEED),
    "circles": lambda n: make_circles(n_samples=n, noise=0.125, factor=0.8, random_state=SEED),
    "blobs": lambda n: make_blobs(n_samples=n, n_features=2, centers=3, cluster_std=1.0,
                                  center_box=(-10.0, 10.0), random_state=SEED),
}
ROWS = [1_000_000, 100_000]


def pipeline(make, n, test_size=0.2, split_seed=SEED):
    """The whole job, as the notebook's data cell does it; returns every array it made."""
    X, y = make(n)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=test_size,
                                                        random_state=split_seed)
    scaler = StandardScaler()
    X_train_scaled = scaler.fit_transform(X_train)
    X_test_scaled = scaler.transform(X_test)
    return dict(X=X, y=y, X_train=X_train, X_test=X_test, y_train=y_train, y_test=y_test,
                X_train_scaled=X_train_scaled, X_test_scaled=X_test_scaled, mean=scaler.mean_,
                var=scaler.var_, scale=scaler.scale_)


def sklearn_times(reps):
    """{(generator, n): [seconds, ...]} over `reps` runs of the whole pipeline each."""
    times = {}
    for name, make in GENERATORS.items():
        for n in ROWS:
            pipeline(make, n)  # warm up
            runs = []
            for _ in range(reps):
                start = time.perf_counter()
                pipeline(make, n)
                runs.append(time.perf_counter() - start)
            times[(name, n)] = runs
    return times


def nnlab_medians(threads=None, root=ROOT):
    """Medians of `cargo bench -p nnlab-data --bench generate` run in `root`, by (generator, n)."""
    env = dict(os.environ)
    if threads:
        env["RAYON_NUM_THREADS"] = str(threads)
    command = ["cargo", "bench", "-q", "-p", "nnlab-data", "--bench", "generate", "--", "split_scale"]
    out = subprocess.run(command, cwd=root, env=env, capture_output=True, text=True,
                         check=True).stdout
    units = {"ns": 1e-9, "µs": 1e-6, "ms": 1e-3, "s": 1.0}
    medians, group = {}, None
    for line in out.splitlines():
        head = re.match(r"^[├╰]─ (\w+)_split_scale\s*│", line)
        if head:
            group = head.group(1)
            continue
        row = re.match(r"^[│ ]\s+[├╰]─ (\d+)\s+([\d.]+) (ns|µs|ms|s)\s+│ ([\d.]+) (ns|µs|ms|s)\s+│"
                       r" ([\d.]+) (ns|µs|ms|s)", line)
        if row and group:
            medians[(group, int(row.group(1)))] = float(row.group(6)) * units[row.group(7)]
    return medians


def fmt(seconds):
    return f"{seconds * 1e3:8.1f} ms"


def benchmark(skip_nnlab, reps, before=None):
    print(f"numpy {np.__version__}, scikit-learn {sklearn.__version__}; median of {reps} runs per "
          "round; make_X + train_test_split(0.2, 42) + StandardScaler fit_transform/transform",
          flush=True)
    first = sklearn_times(reps)
    if skip_nnlab:
        for (name, n), runs in first.items():
            print(f"{name:8} {n:>9,} rows  scikit-learn {fmt(statistics.median(runs))}")
        return
    old = nnlab_medians(root=before) if before else None
    ours = nnlab_medians()
    ours_1 = nnlab_medians(threads=1)
    second = sklearn_times(reps)
    head = "| dataset | rows | scikit-learn |" + (" nnlab before |" if old else "")
    print("\n" + head + " nnlab (all cores) | nnlab (1 thread) | speed-up | speed-up, 1 thread |")
    print("|---" * (head.count("|") + 3) + "|")
    for key in first:
        name, n = key
        theirs = statistics.median(first[key] + second[key])
        mine, mine_1 = ours.get(key), ours_1.get(key)
        if mine is None or mine_1 is None or (old and key not in old):
            print(f"| {name} | {n:,} | {fmt(theirs)} | (missing from cargo bench output) |")
            continue
        before_cell = f" {fmt(old[key])} |" if old else ""
        print(f"| {name} | {n:,} | {fmt(theirs)} |{before_cell} {fmt(mine)} | {fmt(mine_1)} | "
              f"{theirs / mine:.1f}× | {theirs / mine_1:.1f}× |")
    spread = {key: (statistics.median(first[key]), statistics.median(second[key])) for key in first}
    print("\nscikit-learn's medians before / after nnlab's run: " + "; ".join(
        f"{name} {n:,}: {a * 1e3:.0f} / {b * 1e3:.0f} ms" for (name, n), (a, b) in spread.items()))


# Larger cases for tests/large_parity.rs: sizes where nnlab's bulk and multi-threaded code paths
# run (more than 2^15 values per array), odd and even sizes, 1 to 3 features, other seeds and
# split sizes, with and without shuffling.
FIXTURE_CASES = [
    dict(generator="make_moons", params=dict(n_samples=1_000_000, noise=0.125, random_state=42),
         test_size=0.2, split_seed=42),
    dict(generator="make_moons", params=dict(n_samples=100_003, noise=0.3, random_state=7),
         test_size=0.25, split_seed=8),
    dict(generator="make_moons", params=dict(n_samples=50_001, noise=0.1, shuffle=False,
                                             random_state=9), test_size=0.2, split_seed=9),
    dict(generator="make_circles", params=dict(n_samples=100_000, noise=0.125, factor=0.8,
                                               random_state=42), test_size=0.2, split_seed=42),
    dict(generator="make_circles", params=dict(n_samples=77_777, noise=0.05, factor=0.5,
                                               random_state=3), test_size=0.3, split_seed=4),
    dict(generator="make_blobs", params=dict(n_samples=100_000, n_features=2, centers=3,
                                             cluster_std=1.0, random_state=42),
         test_size=0.2, split_seed=42),
    dict(generator="make_blobs", params=dict(n_samples=100_001, n_features=1, centers=5,
                                             cluster_std=0.7, random_state=11),
         test_size=0.2, split_seed=12),
    dict(generator="make_blobs", params=dict(n_samples=60_000, n_features=3, centers=4,
                                             cluster_std=2.5, random_state=5),
         test_size=0.1, split_seed=6),
    dict(generator="make_blobs", params=dict(n_samples=40_000, n_features=5, centers=2,
                                             cluster_std=1.5, shuffle=False, random_state=1),
         test_size=0.2, split_seed=2),
]


def sha256(array, dtype):
    return hashlib.sha256(np.ascontiguousarray(array, dtype=dtype).tobytes()).hexdigest()


def write_fixture():
    makers = dict(make_moons=make_moons, make_circles=make_circles, make_blobs=make_blobs)
    cases = []
    for case in FIXTURE_CASES:
        make = makers[case["generator"]]
        made = pipeline(lambda n: make(**case["params"]), case["params"]["n_samples"],
                        case["test_size"], case["split_seed"])
        hashes = {key: sha256(value, "<i8" if key.startswith("y") else "<f8")
                  for key, value in made.items()}
        cases.append(dict(case, sha256=hashes))
        print(f"{case['generator']} {case['params']}: {hashes['X'][:16]}…", flush=True)
    document = dict(
        made_by="bench/data_peers.py --fixture",
        versions=dict(numpy=np.__version__, sklearn=sklearn.__version__),
        hashing="SHA-256 of the C-ordered bytes: float64 little-endian for X and the scaler's "
                "arrays, int64 little-endian for y",
        pipeline="X, y = generator(**params); X_train, X_test, y_train, y_test = "
                 "train_test_split(X, y, test_size=test_size, random_state=split_seed); "
                 "scaler = StandardScaler(); X_train_scaled = scaler.fit_transform(X_train); "
                 "X_test_scaled = scaler.transform(X_test); mean, var, scale = scaler.mean_, "
                 "scaler.var_, scaler.scale_",
        cases=cases,
    )
    with open(FIXTURE, "w") as f:
        json.dump(document, f, indent=1)
        f.write("\n")
    print(f"wrote {os.path.relpath(FIXTURE, ROOT)}")


def main():
    args = sys.argv[1:]
    if "--fixture" in args:
        write_fixture()
        return
    reps = 7
    if "--reps" in args:
        reps = int(args[args.index("--reps") + 1])
    before = args[args.index("--before") + 1] if "--before" in args else None
    benchmark("--skip-nnlab" in args, reps, before)


if __name__ == "__main__":
    main()
