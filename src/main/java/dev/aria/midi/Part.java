package dev.aria.midi;

import java.util.OptionalInt;

/**
 * How one instrument's track is written: its name, its MIDI channel (9 is General MIDI's drum channel), the General
 * MIDI program it plays (none for drums) and the velocity of every note.
 */
public record Part(String name, int channel, OptionalInt program, int velocity) {
}
