import sys

from audiocnn.synth import main

sys.exit(main())
