#!/usr/bin/env python3
"""Wall time and peak memory of `nnlab notebook`, and of the Python notebook it replaces.

    cargo build --release
    python3 bench/notebook.py [--runs 20] [--python /path/to/python-with-numpy-sklearn-torch]

It runs `target/release/nnlab notebook --quiet --out <tmp>` --runs times and prints the median and
the spread of the wall time and the largest peak RSS. With --python, it also runs
bench/notebook_py.py (the notebook's cells: data, both training sections and, if matplotlib is
installed, the figures) with that interpreter and prints the ratio of the medians. Goals (issue 6):
under 0.5 s of wall time and under 100 MB of peak memory on the project's 2-core machine.
"""
import argparse, os, resource, statistics, subprocess, sys, tempfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def measure(argv, runs, cwd):
    times = []
    peak_kb = 0
    for _ in range(runs):
        start = time.perf_counter()
        # each run in a fresh child; ru_maxrss of RUSAGE_CHILDREN is the largest child so far
        subprocess.run(argv, cwd=cwd, check=True, stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
        peak_kb = max(peak_kb, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
    return times, peak_kb


def report(name, times, peak_kb):
    q = statistics.quantiles(times, n=4) if len(times) >= 4 else [min(times), 0, max(times)]
    print(f"{name:<28} median {statistics.median(times) * 1000:8.1f} ms"
          f"   (quartiles {q[0] * 1000:.1f}-{q[-1] * 1000:.1f} ms, {len(times)} runs)"
          f"   peak RSS <= {peak_kb / 1024:.1f} MB")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--python", help="an interpreter with numpy, scikit-learn and torch, for the baseline")
    args = parser.parse_args()
    binary = os.path.join(ROOT, "target", "release", "nnlab")
    if not os.path.exists(binary):
        sys.exit("build it first: cargo build --release")
    with tempfile.TemporaryDirectory() as tmp:
        nnlab_times, nnlab_peak = measure([binary, "notebook", "--quiet", "--out", os.path.join(tmp, "nb")], args.runs, tmp)
    report("nnlab notebook", nnlab_times, nnlab_peak)
    print(f"  goals: wall < 500 ms: {'met' if statistics.median(nnlab_times) < 0.5 else 'NOT met'};"
          f" peak memory < 100 MB: {'met' if nnlab_peak < 100 * 1024 else 'NOT met'}")
    if args.python:
        script = os.path.join(ROOT, "bench", "notebook_py.py")
        with tempfile.TemporaryDirectory() as tmp:
            py_times, py_peak = measure([args.python, script, tmp], max(3, args.runs // 5), tmp)
        report("python notebook (baseline)", py_times, py_peak)
        print(f"  nnlab is {statistics.median(py_times) / statistics.median(nnlab_times):.0f}x faster (medians, same run)")


if __name__ == "__main__":
    main()
