package dev.aria.rest;

/**
 * Example bodies shown in the OpenAPI document and Swagger UI, one constant per {@code @ExampleObject}. Kept as
 * text blocks in one place so resources stay readable and examples stay consistent with each other.
 */
final class Examples {

    private Examples() {
    }

    // --- POST /emotion ---------------------------------------------------------------------------------------------

    /** The Starry Night, as the shipped image model reads it (training/tests/vectors/image_emotion.json). */
    static final String EMOTION_RESPONSE = """
            {
              "valence": 0.705,
              "arousal": -0.115,
              "model": "image-emotion-photo-painting@2"
            }
            """;

    /**
     * A whole /generate form: explicit emotion and the settings that differ from their defaults (an example of one
     * property each would be ambiguous).
     */
    static final String GENERATE_REQUEST = """
            {"valence": 0.8, "arousal": 0.6, "conditioning": "continuous_concat", "gen_len": 512, "seed": 7}""";

    /** An arc from calm to excited, two candidates ranked by their measured emotion along it. */
    static final String GENERATE_ARC_REQUEST = """
            {"valence": 0.3, "arousal": -0.9, "valence_end": 0.3, "arousal_end": 0.9, "gen_len": 2048, "candidates": 2, "seed": 1}""";

    static final String PROBLEM_MISSING_IMAGE = """
            {
              "type": "urn:aria:problem:missing-field",
              "title": "Missing field",
              "status": 400,
              "detail": "The request has no file part named 'image'. Send multipart/form-data with the image as a file part called 'image', e.g. curl -F image=@picture.jpg.",
              "instance": "/emotion",
              "field": "image"
            }
            """;

    static final String PROBLEM_WRONG_PART_NAME = """
            {
              "type": "urn:aria:problem:wrong-field-name",
              "title": "Wrong field name",
              "status": 400,
              "detail": "The request has a file in part 'file' but none in 'image'. The part must be called 'image': send it as Content-Disposition: form-data; name=\\"image\\"; filename=\\"picture.jpg\\".",
              "instance": "/emotion",
              "field": "image"
            }
            """;

    static final String PROBLEM_EMPTY_IMAGE = """
            {
              "type": "urn:aria:problem:empty-image",
              "title": "Empty image",
              "status": 400,
              "detail": "The file in 'image' is empty (0 bytes). Attach an image file (BMP, GIF, JPEG, PNG, TIFF, WBMP, WEBP).",
              "instance": "/emotion",
              "field": "image"
            }
            """;

    static final String PROBLEM_CORRUPT_IMAGE = """
            {
              "type": "urn:aria:problem:corrupt-image",
              "title": "Corrupt image",
              "status": 400,
              "detail": "The image in 'image' is damaged or incomplete and cannot be decoded. Send the complete file again, or re-save it as JPEG or PNG.",
              "instance": "/emotion",
              "field": "image"
            }
            """;

    static final String PROBLEM_TOO_MANY_PIXELS = """
            {
              "type": "urn:aria:problem:image-too-large",
              "title": "Image too large",
              "status": 400,
              "detail": "The image in 'image' is 50000×50000 = 2500000000 pixels; at most 40000000 are accepted. Scale it down (e.g. to at most 4000 pixels a side) and send it again.",
              "instance": "/emotion",
              "field": "image"
            }
            """;

    static final String PROBLEM_FILE_TOO_LARGE = """
            {
              "type": "urn:aria:problem:file-too-large",
              "title": "File too large",
              "status": 413,
              "detail": "The file in 'image' has 24117248 bytes; at most 20971520 (20 MiB) are accepted. Send a smaller or more compressed image, e.g. a JPEG of at most 4000 pixels a side.",
              "instance": "/emotion",
              "field": "image"
            }
            """;

    static final String PROBLEM_NOT_AN_IMAGE = """
            {
              "type": "urn:aria:problem:not-an-image",
              "title": "Not an image",
              "status": 415,
              "detail": "The file in 'image' is not an image this service can read. Send one of: BMP, GIF, JPEG, PNG, TIFF, WBMP, WEBP.",
              "instance": "/emotion",
              "field": "image"
            }
            """;

    static final String PROBLEM_UNSUPPORTED_MEDIA_TYPE = """
            {
              "type": "urn:aria:problem:unsupported-media-type",
              "title": "Unsupported media type",
              "status": 415,
              "detail": "Content-Type 'application/json' is not accepted by POST /emotion. Send the media type the API document at /q/openapi (or /q/swagger-ui) gives for it, e.g. multipart/form-data for uploads.",
              "instance": "/emotion"
            }
            """;

    static final String PROBLEM_MODEL_UNAVAILABLE = """
            {
              "type": "urn:aria:problem:model-unavailable",
              "title": "Model unavailable",
              "status": 503,
              "detail": "The emotion model is not loaded; the service logged why when it started. Retry later; /q/health/ready reports when it is ready.",
              "instance": "/emotion"
            }
            """;

    static final String PROBLEM_INTERNAL_ERROR = """
            {
              "type": "urn:aria:problem:internal-error",
              "title": "Internal error",
              "status": 500,
              "detail": "The service failed unexpectedly; the error was logged with id 3f2c9a4e-8d1b-4c7a-9e55-0b6d2f1a7c3e. Try again; if it happens again, report this id.",
              "instance": "/emotion"
            }
            """;

    // --- POST /generate --------------------------------------------------------------------------------------------

    static final String PROBLEM_TOP_P_RANGE = """
            {
              "type": "urn:aria:problem:validation-failed",
              "title": "Validation failed",
              "status": 400,
              "detail": "Field 'top_p' must be less than or equal to 1 (was 1.5). Change it and send the request again.",
              "instance": "/generate",
              "field": "top_p",
              "errors": [ { "field": "top_p", "detail": "must be less than or equal to 1 (was 1.5)" } ]
            }
            """;

    static final String PROBLEM_EMOTION_SOURCE = """
            {
              "type": "urn:aria:problem:missing-emotion",
              "title": "Missing emotion",
              "status": 400,
              "detail": "Send an image as the file part 'image', or the fields 'valence' and 'arousal' (each in [-1, 1]), e.g. curl -F valence=0.8 -F arousal=0.6.",
              "instance": "/generate",
              "field": "image"
            }
            """;

    static final String PROBLEM_ARC_HALF = """
            {
              "type": "urn:aria:problem:missing-field",
              "title": "Missing field",
              "status": 400,
              "detail": "An emotion arc needs both 'valence_end' and 'arousal_end' (each in [-1, 1]); 'arousal_end' is missing. Send both, or neither for a constant emotion.",
              "instance": "/generate",
              "field": "arousal_end"
            }
            """;

    static final String PROBLEM_PRIMER_NOT_MIDI = """
            {
              "type": "urn:aria:problem:not-midi",
              "title": "Not midi",
              "status": 415,
              "detail": "The file in 'primer' is not a Standard MIDI File: it does not start with a Standard MIDI File header (MThd); it looks like a JPEG image. Send a .mid file (type 0 or 1), e.g. one POST /generate returned.",
              "instance": "/generate",
              "field": "primer"
            }
            """;

    static final String PROBLEM_OVERLOADED = """
            {
              "type": "urn:aria:problem:overloaded",
              "title": "Overloaded",
              "status": 503,
              "detail": "All 2 generation slots are busy. Retry after a few seconds.",
              "instance": "/generate"
            }
            """;

    /**
     * An abridged event stream of POST /generate/events (gen_len 128, seed 7, two candidates: the second measured nearer
     * the request; most progress events and notes left out, numbers rounded).
     */
    static final String GENERATION_EVENTS = """
            event: progress
            data: {"attempt":1,"max_attempts":3,"tokens":0,"gen_len":128}

            event: progress
            data: {"attempt":1,"max_attempts":3,"tokens":64,"gen_len":128}

            event: progress
            data: {"attempt":1,"max_attempts":3,"tokens":128,"gen_len":128}

            event: result
            data: {"midi":"TVRoZAAAAAYAAQAGAPpNVHJrAAAAuwD/UQMHoSAA...","file_name":"aria-7.mid","valence":0.8,"arousal":0.6,"emotion_source":"request","conditioning":"continuous_concat","gen_len":128,"note_temperature":1.2,"rest_temperature":1.2,"top_p":0.7,"min_instruments":2,"seed":7,"model":"music_continuous_concat@2","candidates":2,"chosen_candidate":1,"measured_valence":-0.6393,"measured_arousal":1.0,"measured_curve":[{"start_s":0.0,"end_s":1.408,"valence":-0.6393,"arousal":1.0}],"measurement_model":"valence_regressor@2","candidate_measurements":[{"valence":-0.7312,"arousal":1.0,"distance":1.5826,"instruments":3,"met_minimum":true},{"valence":-0.6393,"arousal":1.0,"distance":1.4938,"instruments":3,"met_minimum":true}],"attempts":1,"instruments":3,"met_minimum":true,"truncated":false,"tokens":128,"duration_ms":1408,"instrument_names":["drums","guitar","bass","piano","strings"],"notes":[{"instrument":0,"pitch":45,"start_ms":88,"end_ms":152}]}

            """;

    // --- POST /render ----------------------------------------------------------------------------------------------

    static final String PROBLEM_NOT_MIDI = """
            {
              "type": "urn:aria:problem:not-midi",
              "title": "Not midi",
              "status": 415,
              "detail": "The file in 'midi' is not a Standard MIDI File: it does not start with a Standard MIDI File header (MThd). Send a .mid file, e.g. one POST /generate returned.",
              "instance": "/render",
              "field": "midi"
            }
            """;

    static final String PROBLEM_MIDI_TOO_LONG = """
            {
              "type": "urn:aria:problem:midi-too-long",
              "title": "Midi too long",
              "status": 400,
              "detail": "The MIDI file in 'midi' lasts 11 min 05 s; at most 10 min 00 s of music are rendered. Send a shorter piece.",
              "instance": "/render",
              "field": "midi"
            }
            """;

    static final String PROBLEM_MIDI_TOO_LARGE = """
            {
              "type": "urn:aria:problem:file-too-large",
              "title": "File too large",
              "status": 413,
              "detail": "The file in 'midi' has 2097152 bytes; at most 1048576 (1 MiB) are accepted. Send a shorter MIDI file.",
              "instance": "/render",
              "field": "midi"
            }
            """;

    static final String PROBLEM_RENDER_OVERLOADED = """
            {
              "type": "urn:aria:problem:overloaded",
              "title": "Overloaded",
              "status": 503,
              "detail": "All 1 audio render slots are busy. Retry after a few seconds.",
              "instance": "/render"
            }
            """;

    // --- POST /analyze ---------------------------------------------------------------------------------------------

    /** training/tests/vectors/midi/cheerful-major.mid: a 16-bar tune in C major at 140 bpm, four instruments. */
    static final String ANALYSIS_RESPONSE = """
            {
              "valence": 0.4853,
              "arousal": 0.5401,
              "curve": [
                { "start_s": 0.0, "end_s": 10.0, "valence": 0.6060, "arousal": 0.5994 },
                { "start_s": 5.0, "end_s": 15.0, "valence": 0.5580, "arousal": 0.5720 },
                { "start_s": 10.0, "end_s": 20.0, "valence": 0.5735, "arousal": 0.5446 },
                { "start_s": 15.0, "end_s": 25.0, "valence": 0.6384, "arousal": 0.5446 },
                { "start_s": 20.0, "end_s": 27.3857, "valence": 0.5359, "arousal": 0.4535 }
              ],
              "model": "valence_regressor@2"
            }
            """;

    static final String PROBLEM_MISSING_MIDI = """
            {
              "type": "urn:aria:problem:missing-field",
              "title": "Missing field",
              "status": 400,
              "detail": "The request has no file part named 'midi'. Send multipart/form-data with the MIDI file as a file part called 'midi', e.g. curl -F midi=@music.mid.",
              "instance": "/analyze",
              "field": "midi"
            }
            """;

    static final String PROBLEM_CORRUPT_MIDI = """
            {
              "type": "urn:aria:problem:corrupt-midi",
              "title": "Corrupt midi",
              "status": 400,
              "detail": "The file in 'midi' is truncated or lies about a length: the chunk at byte 22 declares 3068 bytes, but only 1526 follow. Send the complete, undamaged file again, or re-save it from a MIDI editor.",
              "instance": "/analyze",
              "field": "midi"
            }
            """;

    static final String PROBLEM_NO_NOTES = """
            {
              "type": "urn:aria:problem:no-notes",
              "title": "No notes",
              "status": 400,
              "detail": "The MIDI file in 'midi' has no notes (no note-on that a note-off ends), so it has no emotion to read. Send a file with music in it.",
              "instance": "/analyze",
              "field": "midi"
            }
            """;

    static final String PROBLEM_TOO_MANY_TRACKS = """
            {
              "type": "urn:aria:problem:too-many-tracks",
              "title": "Too many tracks",
              "status": 400,
              "detail": "The file in 'midi' declares 5000 tracks; at most 512 are read. Merge tracks, or send the piece in parts.",
              "instance": "/analyze",
              "field": "midi"
            }
            """;

    static final String PROBLEM_ANALYSIS_TOO_LONG = """
            {
              "type": "urn:aria:problem:midi-too-long",
              "title": "Midi too long",
              "status": 400,
              "detail": "The file in 'midi' lasts 3 h 00 min (its last note ends then); at most 30 min 00 s are read. Send a shorter excerpt, or remove the silence before its last notes.",
              "instance": "/analyze",
              "field": "midi"
            }
            """;

    static final String PROBLEM_ANALYSIS_TOO_LARGE = """
            {
              "type": "urn:aria:problem:file-too-large",
              "title": "File too large",
              "status": 413,
              "detail": "The file in 'midi' has 6000014 bytes; at most 1048576 (1 MiB) are accepted. Send a shorter MIDI file.",
              "instance": "/analyze",
              "field": "midi"
            }
            """;

    static final String PROBLEM_RENAMED_IMAGE = """
            {
              "type": "urn:aria:problem:not-midi",
              "title": "Not midi",
              "status": 415,
              "detail": "The file in 'midi' is not a Standard MIDI File: it does not start with a Standard MIDI File header (MThd); it looks like a PNG image. Send a .mid file (type 0 or 1), e.g. one POST /generate returned.",
              "instance": "/analyze",
              "field": "midi"
            }
            """;

    static final String PROBLEM_ANALYSIS_OVERLOADED = """
            {
              "type": "urn:aria:problem:overloaded",
              "title": "Overloaded",
              "status": 503,
              "detail": "All 2 analysis slots are busy. Retry after a few seconds.",
              "instance": "/analyze"
            }
            """;
}
