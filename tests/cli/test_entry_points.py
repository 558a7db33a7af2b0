import subprocess
import sys


def test_python_dash_m_lidgeld_shows_the_commands():
    result = subprocess.run(
        [sys.executable, "-m", "lidgeld", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0
    for command in ("tick", "renew", "pay", "status", "expiring", "demo", "serve", "migrate"):
        assert command in result.stdout


def test_an_unknown_command_is_a_usage_error():
    result = subprocess.run(
        [sys.executable, "-m", "lidgeld", "renwe"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert "invalid choice: 'renwe'" in result.stderr
