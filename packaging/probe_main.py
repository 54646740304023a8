"""Entry point of digitpad-probe: ``tests/benchmarks/app_probe.py`` frozen beside the app.

Built only with ``packaging/build.py --probe``, to measure the frozen app's start-up. The app
starts helper processes with multiprocessing's "spawn" (the resource tracker, Retrain's training
process); a frozen program is started again for them, and must hand them over to
multiprocessing before anything else, or each would run the probe again.
"""

import multiprocessing
import runpy

multiprocessing.freeze_support()
runpy.run_module("app_probe", run_name="__main__", alter_sys=True)
