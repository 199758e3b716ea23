"""Known vulnerabilities in the pinned requirements, through pip-audit (PyPI's
advisory data): any found fails `make test`. A package the index has no advisory
data for is counted as not audited and does not fail it (docs/decisions.md).

    .venv/bin/python scripts/audit-deps.py requirements.txt requirements-dev.txt
"""

import json
import subprocess
import sys
import tempfile
from pathlib import Path


def main(files: list[str]) -> int:
    with tempfile.TemporaryDirectory() as scratch:
        report = Path(scratch) / "audit.json"
        command = [sys.executable, "-m", "pip_audit", "--disable-pip", "--no-deps"]
        command += ["--progress-spinner", "off", "--timeout", "20"]
        command += ["--format", "json", "--output", str(report)]
        for name in files:
            command += ["-r", name]
        run = subprocess.run(command, capture_output=True, text=True)
        if not report.exists():
            sys.stderr.write(run.stderr)
            return run.returncode or 1
        packages = json.loads(report.read_text())["dependencies"]
    vulnerable = [p for p in packages if p.get("vulns")]
    skipped = [p for p in packages if "skip_reason" in p]
    for package in vulnerable:
        for vuln in package["vulns"]:
            fixes = ", ".join(vuln.get("fix_versions") or []) or "none yet"
            name, version = package["name"], package["version"]
            sys.stdout.write(f"{name} {version}: {vuln['id']} (fixed in {fixes})\n")
    audited = len(packages) - len(skipped)
    sys.stdout.write(
        f"pip-audit: {audited} of {len(packages)} pinned packages audited,"
        f" {len(vulnerable)} with known vulnerabilities"
        + (f"; {len(skipped)} without advisory data at the index" if skipped else "")
        + "\n"
    )
    return 1 if vulnerable else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
