"""The tutorial's Python in prose, run as a reader pastes it: in a fresh interpreter after `import chainrule`."""
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_the_tutorials_way_to_read_json_infinities_back_runs_after_import_chainrule(tmp_path):
    """Step 7's `json.loads(text, object_hook=chainrule.saving.npzcheck.as_float)` failed after `import json,
    chainrule` (AttributeError: module 'chainrule' has no attribute 'saving'): `import chainrule` does not
    import chainrule.saving. The spans that say how, run in order, turn the JSON's marks back into floats."""
    text = (ROOT / "docs" / "tutorial.md").read_text()
    paragraph = next(p for p in text.split("\n\n") if "object_hook=" in p)
    spans = [s for s in re.findall(r"`([^`]+)`", paragraph.replace("\n", " ")) if "as_float" in s]
    assert spans, "the tutorial no longer says how Python reads the JSON's infinities back"
    *setup, call = spans
    script = "\n".join(["import json", "import chainrule",
                        """text = '{"lr": {"__float__": "Infinity"}, "w": [{"__float__": "-Infinity"}, 0.5]}'""",
                        *setup, f"value = {call}", "print(value['lr'], value['w'][0], value['w'][1])"])
    ran = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert ran.returncode == 0, f"the tutorial's code failed:\n{script}\n{ran.stderr[-1500:]}"
    assert ran.stdout.split() == ["inf", "-inf", "0.5"]
