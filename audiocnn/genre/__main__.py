from audiocnn.genre.cli import main

raise SystemExit(main())
