"""Studies: the paper's experiment on any configs, data and machine.

A study file declares arms, schedules, seeds, shares of the data, the
margin and the launcher (:mod:`.spec`); :mod:`.plan` turns it into
tools/train.py runs, :mod:`.local` and :mod:`.slurm` train them,
:mod:`.compare` and :mod:`.report` judge them (docs/study.md).
"""
