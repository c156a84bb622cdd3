from audiocnn.denoise.cli import main

raise SystemExit(main())
