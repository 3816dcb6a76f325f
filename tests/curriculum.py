"""The graded interface of every lesson, as fixed by the course specification.

The tests hold the notebooks to this list: every function here has its own answer cell
(``grade_id`` = the name), a visible test and hidden tests, and wrong and alternate
versions in ``tests/variants/<lesson>.py``.
"""

GRADED_FUNCTIONS: dict[str, list[str]] = {
    "00-welcome": ["average"],
    "01-neural-networks": [
        "relu", "sigmoid", "relu_grad", "sigmoid_grad", "tanh_grad",
        "dense_forward", "mse_loss", "mse_grad", "dense_backward", "sgd_step",
    ],
    "02-recurrent-networks": [
        "make_windows", "chronological_split", "scale_train_test",
        "rnn_cell_forward", "rnn_forward", "build_rnn_model", "forecast",
    ],
    "03-training-rnns": ["rnn_backward", "clip_by_global_norm", "adding_baseline_mse"],
    "04-lstm": ["lstm_cell_forward", "lstm_forward", "lstm_cell_backward"],
    "05-gru": ["gru_cell_forward", "gru_forward", "torch_gru_to_keras"],
    "06-deep-bidirectional": [
        "bidirectional_rnn_forward", "build_stacked_model", "build_bidirectional_model",
        "build_regularised_tagger",
    ],
    "07-attention": ["softmax", "dot_product_attention", "additive_attention"],
    "08-sequence-to-sequence": ["masked_sequence_loss", "greedy_decode", "beam_search"],
    "09-applications": [
        "encode", "perplexity", "sequential_chunks", "sample_with_temperature",
        "anomaly_threshold", "detect_anomalies",
    ],
    "10-transformers": [
        "multi_head_self_attention", "sinusoidal_positions", "layer_norm",
        "transformer_block_forward",
    ],
    "11-linear-recurrences": ["linear_recurrence", "min_gru_forward"],
}

LESSONS = sorted(GRADED_FUNCTIONS)

# What test cells may take from the learner's notebook besides the graded functions: the
# objects a lesson asks the learner to build (docs/authoring.md, "How test cells run").
LEARNER_OBJECTS: dict[str, list[str]] = {
    "02-recurrent-networks": ["model"],
    "04-lstm": ["lstm_model"],
    "06-deep-bidirectional": ["bi_tagger"],
    "07-attention": ["attention_model"],
    "08-sequence-to-sequence": ["translator"],
    "09-applications": ["char_model", "anomaly_model"],
    "10-transformers": ["gpt_model"],
    "11-linear-recurrences": ["min_gru_model", "attention_model"],
}

# Graded functions whose result is an object, not plain data (a Keras model a `build_*`
# function makes). Their "returns zeros" does-nothing version (tests/test_gate.py) returns
# the reference's model unchanged, which is a right answer, so the gate does not count it.
OBJECT_RESULTS: dict[str, list[str]] = {
    "02-recurrent-networks": ["build_rnn_model"],
    "06-deep-bidirectional": [
        "build_stacked_model", "build_bidirectional_model", "build_regularised_tagger",
    ],
}

# Lessons whose points are not counted: 00-welcome's practice exercise teaches the workflow
# (Validate, submit, feedback), so tests/test_notebook_format.py does not hold its points to
# its study time.
PRACTICE_LESSONS: list[str] = ["00-welcome"]

# Outcome cells (grade ids of no function) whose learner object is genuinely the product of a
# graded function: the gate (tests/test_gate.py, "one mistake loses points once") lets such a
# cell lose points in a submission where one of these functions is wrong, and no other.
# 02's `model` is made by the learner's build_rnn_model.
OUTCOME_DEPENDS: dict[str, dict[str, list[str]]] = {
    # 02's model is built by the learner's build_rnn_model and trained on the windows made,
    # split and scaled by their make_windows, chronological_split and scale_train_test
    "02-recurrent-networks": {"test_forecaster_beats_baseline": [
        "make_windows", "chronological_split", "scale_train_test", "build_rnn_model"]},
    # 06's bi_tagger is made by the learner's build_bidirectional_model
    "06-deep-bidirectional": {"test_peak_tagger_accuracy": ["build_bidirectional_model"]},
    # 09's char_model learns from ids made by the learner's encode and sequential_chunks
    "09-applications": {"test_char_model_beats_unigram": ["encode", "sequential_chunks"]},
}

# Graded functions whose reference answer calls another graded function of the lesson (a
# layer built from the learner's own cell), or whose tests use what another one made. The gate
# lets such a function lose points in a submission where the function it builds on is wrong.
# Issue 19 prefers the other function as an argument that the tests replace with their own
# (10's transformer_block_forward, 11's min_gru_forward); these still depend on the learner's.
BUILDS_ON: dict[str, dict[str, list[str]]] = {
    # forecast's tests hand it the learner's trained `model` (the sandbox lets a test hand
    # the learner's code no Keras model of its own): a model from a wrong build_rnn_model
    # (a time axis in its output) breaks forecast's contract
    "02-recurrent-networks": {"rnn_forward": ["rnn_cell_forward"],
                              "forecast": ["build_rnn_model"]},
    "04-lstm": {"lstm_forward": ["lstm_cell_forward"]},
    "05-gru": {"gru_forward": ["gru_cell_forward"]},
}
