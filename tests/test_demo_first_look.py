"""`chainrule demo` as a new user meets it: what it says, and with what exit status, where a part it
needs is not installed (the exit codes of `chainrule --help`)."""
import subprocess
import sys

from chainrule.cli import EXIT_CODES


def test_demo_without_scikit_learn_exits_5_naming_the_package_on_stderr():
    """It printed the pip line on stdout and exited 1, which `chainrule --help` calls a bug in chainrule."""
    script = ("import sys; sys.modules['sklearn'] = None\n"      # as where scikit-learn is not installed
              "from chainrule.cli import main\n"
              "sys.exit(main(['demo', '--no-example', '--epochs', '1']))")
    r = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert r.returncode == 5 and "optional part" in EXIT_CODES[5], (r.returncode, r.stdout, r.stderr)
    assert r.stderr.startswith("chainrule: error:") and "scikit-learn" in r.stderr and "pip install" in r.stderr
    assert "pip install" not in r.stdout
