from lidgeld.cli.main import main

raise SystemExit(main())
