"""Notes <-> event tokens <-> Standard MIDI File, the midi-emotion way.

A note is a tuple (instrument, pitch, start_ms, end_ms) with instrument one of vocab.INSTRUMENTS.
Times are quantised to the 8 ms grid. Encoding order at one instant: all OFF events, then all ON
events, each sorted by (instrument index, pitch), so encoding is deterministic and Java can
reproduce it. Gaps become TIMESHIFT tokens of at most 1000 ms each.

The Java service decodes tokens to MIDI with the same rules; committed vectors in
training/tests/vectors/ check that both languages agree.
"""
import mido

from . import vocab as V

INST_INDEX = {name: i for i, name in enumerate(V.INSTRUMENTS)}
# MIDI timing shared with Java: 120 bpm (500,000 us per quarter), 250 ticks per quarter -> 2 ms a tick.
TICKS_PER_BEAT = 250
TEMPO_US = 500_000
MS_PER_TICK = TEMPO_US / 1000 / TICKS_PER_BEAT  # 2.0


def quantise(ms):
    return int(round(ms / V.TIME_STEP_MS)) * V.TIME_STEP_MS


def fold_pitch(inst, pitch):
    """Bring a pitch into 21..108 by octaves (drum notes outside are dropped: None)."""
    if V.PITCH_MIN <= pitch <= V.PITCH_MAX:
        return pitch
    if inst == "DRUMS":
        return None
    while pitch < V.PITCH_MIN:
        pitch += 12
    while pitch > V.PITCH_MAX:
        pitch -= 12
    return pitch


def shift_tokens(delta_ms):
    """TIMESHIFT tokens for a gap: whole seconds, then the remainder (never a zero shift)."""
    out = []
    while delta_ms > V.MAX_SHIFT_MS:
        out.append(V.timeshift_token(V.MAX_SHIFT_MS))
        delta_ms -= V.MAX_SHIFT_MS
    if delta_ms > 0:
        out.append(V.timeshift_token(delta_ms))
    return out


def notes_to_tokens(notes):
    """Notes -> token ids (no <START>). Returns a list of ints."""
    events = []  # (time, order, inst_idx, pitch, token)
    for inst, pitch, start, end in notes:
        p = fold_pitch(inst, int(pitch))
        if p is None:
            continue
        s, e = quantise(start), quantise(end)
        if e <= s:
            e = s + V.TIME_STEP_MS
        i = INST_INDEX[inst]
        events.append((s, 1, i, p, V.note_token(inst, True, p)))
        events.append((e, 0, i, p, V.note_token(inst, False, p)))
    events.sort()
    tokens, now = [], 0
    for t, _, _, _, tok in events:
        if t > now:
            tokens += shift_tokens(t - now)
            now = t
        tokens.append(tok)
    return tokens


def to_ms(notes_s):
    """Notes in seconds (emotion_features.notes_from_midi) -> notes in whole milliseconds, as the data pipeline rounds
    a MIDI file's notes before tokenising them (build_dataset.load_multi)."""
    return [(i, int(p), round(s * 1000), round(e * 1000)) for i, p, s, e in notes_s]


def midi_tokens(notes_s):
    """A MIDI file's notes (seconds) -> token ids, as the training data tokenised its MIDI files: the service
    tokenises a primer this way (dev.aria.music.TokenEncoder; training/tests/vectors/primer_tokens.json)."""
    return notes_to_tokens(to_ms(notes_s))


def decode_token(tok):
    """Token id -> ('shift', ms) | ('note', inst, on, pitch) | ('special', name)."""
    if tok >= V.FIRST_TIMESHIFT and tok < V.N_BASE:
        return ("shift", (tok - V.FIRST_TIMESHIFT + 1) * V.TIME_STEP_MS)
    if 2 <= tok < V.FIRST_TIMESHIFT:
        k = tok - 2
        n_p = V.PITCH_MAX - V.PITCH_MIN + 1
        inst = V.INSTRUMENTS[k // (2 * n_p)]
        on = (k // n_p) % 2 == 1
        return ("note", inst, on, V.PITCH_MIN + k % n_p)
    return ("special", V.TOKENS_DISCRETE[tok])


def tokens_to_notes(tokens):
    """Token ids -> notes sorted by (start, instrument, pitch). Special tokens are skipped.

    An ON for a sounding pitch ends the old note first; an OFF for a silent pitch is ignored;
    notes still sounding at the end stop at the final time (at least one 8 ms step long).
    """
    now, open_, notes = 0, {}, []
    for tok in tokens:
        d = decode_token(int(tok))
        if d[0] == "shift":
            now += d[1]
        elif d[0] == "note":
            _, inst, on, pitch = d
            key = (inst, pitch)
            if key in open_:
                start = open_.pop(key)
                if now > start:
                    notes.append((inst, pitch, start, now))
            if on:
                open_[key] = now
    for (inst, pitch), start in open_.items():
        notes.append((inst, pitch, start, max(now, start + V.TIME_STEP_MS)))
    notes.sort(key=lambda n: (n[2], INST_INDEX[n[0]], n[1], n[3]))
    return notes


def notes_to_midi(notes, text=None):
    """Notes -> mido.MidiFile: type 1, a tempo track, then one track per instrument in vocabulary
    order (always five, so the header is known before the music is), GM program, fixed velocity,
    drums on channel 10. Note-offs are written as note_off with velocity 0; at one tick,
    note-offs come before note-ons. `text`, if given, becomes a text event of the tempo track."""
    mid = mido.MidiFile(type=1, ticks_per_beat=TICKS_PER_BEAT)
    meta = mido.MidiTrack()
    meta.append(mido.MetaMessage("set_tempo", tempo=TEMPO_US, time=0))
    meta.append(mido.MetaMessage("time_signature", numerator=4, denominator=4, time=0))
    if text:
        meta.append(mido.MetaMessage("text", text=text, time=0))
    mid.tracks.append(meta)
    channels = {"DRUMS": V.DRUM_CHANNEL, "GUITAR": 0, "BASS": 1, "PIANO": 2, "STRINGS": 3}
    for inst in V.INSTRUMENTS:
        mine = [n for n in notes if n[0] == inst]
        ch, vel = channels[inst], V.VELOCITY[inst]
        tr = mido.MidiTrack()
        tr.append(mido.MetaMessage("track_name", name=inst.lower(), time=0))
        if inst != "DRUMS":
            tr.append(mido.Message("program_change", channel=ch, program=V.PROGRAM[inst], time=0))
        ev = []
        for _, pitch, s, e in mine:
            ev.append((round(e / MS_PER_TICK), 0, pitch))
            ev.append((round(s / MS_PER_TICK), 1, pitch))
        ev.sort()
        last = 0
        for tick, on, pitch in ev:
            kind = "note_on" if on else "note_off"
            tr.append(mido.Message(kind, channel=ch, note=pitch, velocity=vel if on else 0, time=tick - last))
            last = tick
        mid.tracks.append(tr)
    return mid
