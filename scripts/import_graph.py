"""Print the app → app import edges of lidgeld (for docs/import-graph.md).

Usage: .venv/bin/python scripts/import_graph.py
"""

from __future__ import annotations

import grimp


def main() -> None:
    graph = grimp.build_graph("lidgeld")
    apps = sorted({module.split(".")[1] for module in graph.modules if module.count(".") >= 1})
    for app in apps:
        imported = [
            other
            for other in apps
            if other != app
            and graph.direct_import_exists(
                importer=f"lidgeld.{app}", imported=f"lidgeld.{other}", as_packages=True
            )
        ]
        print(f"- {app} → {', '.join(imported) or '(none)'}")


if __name__ == "__main__":
    main()
