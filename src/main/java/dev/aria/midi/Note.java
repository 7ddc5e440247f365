package dev.aria.midi;

/** One sounding note: instrument index (vocabulary order), MIDI pitch, start and end in milliseconds. */
public record Note(int instrument, int pitch, int startMs, int endMs) {
}
