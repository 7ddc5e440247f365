"""The key a piece is in, as the data pipeline normalises it (build_dataset.py --key-normalise) and the service moves a
primer before a key-normalised decoder continues it (dev.aria.analysis.EmotionFeatures.tonic): the tonic of the best-fitting
Krumhansl-Kessler key, major or minor, of the duration-weighted pitch-class histogram of the pitched notes; a piece is
moved to C by -5 ... +6 semitones. training/tests/vectors/primer_tokens.json records both for the primer vectors.
"""
import numpy as np

from .emotion_features import KK_MAJOR, KK_MINOR


def estimated_tonic(notes_ms):
    """Pitch class of the tonic of the best-fitting Krumhansl-Kessler key of pitched notes (inst, pitch, start_ms,
    end_ms); each note weighs its length in milliseconds, at least 1. 0 without pitched notes; on a tie the higher
    pitch class, the major key before the minor one."""
    hist = np.zeros(12)
    for inst, p, s, e in notes_ms:
        if inst != "DRUMS":
            hist[p % 12] += max(e - s, 1)
    if hist.sum() == 0:
        return 0
    best = max((np.corrcoef(np.roll(prof, t), hist)[0, 1], t) for prof in (KK_MAJOR, KK_MINOR) for t in range(12))
    return best[1]


def shift_to_c(tonic):
    """Semitones (-5 ... +6) that move a piece with this tonic to C."""
    return -(tonic if tonic <= 6 else tonic - 12)


def transposed(notes, semitones):
    """The notes with every pitched (non-drum) note moved by `semitones`; times untouched."""
    return [(i, p if i == "DRUMS" else p + semitones, s, e) for i, p, s, e in notes]
