"""Passages scored within their neighbours (sideload/recall/passage_matrix.py): pure numpy, fast."""
from __future__ import annotations

import numpy as np

from sideload.recall.passage_matrix import WINDOW_DISCOUNT, PassageMatrix


def unit(v) -> np.ndarray:
    v = np.asarray(v, np.float32)
    return v / np.linalg.norm(v)


def test_a_fact_that_straddles_a_cut_outranks_a_passage_that_holds_half_of_it():
    # the question is "who woke us | when the fire broke out": moment 1 says each half in its own
    # passage, moment 2 has one passage about waking alone, a little nearer than either half
    woke, fire, filler = np.eye(4, dtype=np.float32)[:3]
    q = unit(woke + fire)
    vecs = np.stack([unit(filler), woke, fire, unit(filler + 0.1 * woke),  # moment 1, in text order
                     unit(woke + 0.05 * fire)])                              # moment 2
    m = PassageMatrix(np.arange(1, 6), np.array([1, 1, 1, 1, 2]), vecs)
    own = vecs @ q
    assert own[4] > own[1:3].max()  # alone, the half-match of moment 2 wins
    sims = m.sims(q)
    assert sims[1:3].max() > sims[4]  # within their window, the two halves win
    assert sims[4] == own[4]  # a passage with no neighbours keeps its own
    assert (sims[1:3] < WINDOW_DISCOUNT + 2e-3).all()  # a window never counts as much as a match alone


def test_a_passage_that_holds_the_whole_match_alone_still_wins_and_windows_never_cross_moments():
    a, b, c = np.eye(3, dtype=np.float32)
    q = a
    vecs = np.stack([b, a, c,  # moment 1: the middle passage is the match itself
                     c, c])    # moment 2, too short for a window of three
    m = PassageMatrix(np.arange(10, 15), np.array([7, 7, 7, 8, 8]), vecs)
    sims = m.sims(q)
    assert int(np.argmax(sims)) == 1 and sims[1] == 1.0  # its own similarity, undiscounted
    assert sims[0] < sims[1] and sims[2] < sims[1]  # its neighbours take the window's score, lower
    assert (sims[3:] == 0).all()  # no window reached from moment 1 into moment 2
    assert m.long == {7, 8}
    assert m.own_sims([11, 14, 99], q) == {11: 1.0, 14: 0.0}  # unknown pids are left out


def test_an_empty_vault_has_no_windows():
    m = PassageMatrix(np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros((0, 0), np.float32))
    assert len(m) == 0 and m.dims == 0 and m.long == set()
