"""Promotion cases and the calibration committee (issue 20): a case is opened for a
person and a target role, assembles its packet live while a draft, freezes it when
submitted, is reviewed in a round by named reviewers and decided by HR. Approval
changes the person's role (people.services.role_change) and writes the role history.

models.py   the rows: PromotionCase, CaseEvent, ReviewRound, Vote
packet.py   the packet: what the target role expects against where the person stands
rules.py    every write: open, edit, submit, withdraw, decide, rounds, votes, comments
access.py   who may see and do what with a case or a round
"""
