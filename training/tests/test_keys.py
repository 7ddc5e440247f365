"""The key normalisation of the data pipeline (build_dataset.to_c, training/keys.py) on pieces without POP909 key
annotations: the tonic found from the notes, and the piece moved so that it is C."""
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from training import build_dataset as bd  # noqa: E402
from training import keys  # noqa: E402


def scale(tonic, degrees=(0, 2, 4, 5, 7, 9, 11, 12, 7, 4, 0)):
    return [("PIANO", 60 + tonic + d, 250 * i, 250 * (i + 1)) for i, d in enumerate(degrees)]


def test_a_piece_in_e_major_is_moved_down_to_c():
    piece = {"name": "multi/band/song", "notes": scale(4) + [("DRUMS", 36, 0, 100)]}
    assert bd.to_c(piece, "no-data-needed") == -4
    assert sorted({p % 12 for i, p, _, _ in piece["notes"] if i != "DRUMS"}) == [0, 2, 4, 5, 7, 9, 11]
    assert ("DRUMS", 36, 0, 100) in piece["notes"]


def test_the_shift_is_at_most_half_an_octave():
    assert [keys.shift_to_c(t) for t in range(12)] == [0, -1, -2, -3, -4, -5, -6, 5, 4, 3, 2, 1]
    assert keys.estimated_tonic(scale(9, (0, 2, 3, 5, 7, 8, 11, 12, 7, 3, 0))) == 9  # A minor
    assert keys.estimated_tonic([("DRUMS", 36, 0, 100)]) == 0
