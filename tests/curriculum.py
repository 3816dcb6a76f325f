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
    "04-lstm": ["lstm_cell_forward", "lstm_forward", "lstm_param_count"],
    "05-gru": ["gru_cell_forward", "gru_forward", "gru_param_count"],
    "06-deep-bidirectional": [
        "bidirectional_rnn_forward", "build_stacked_model", "build_bidirectional_model",
    ],
    "07-attention": [
        "softmax", "dot_product_attention", "additive_attention",
        "masked_sequence_loss", "greedy_decode", "beam_search",
    ],
    "08-applications": [
        "build_vocab", "encode", "decode", "sample_with_temperature", "perplexity",
        "anomaly_threshold", "detect_anomalies",
    ],
}

LESSONS = sorted(GRADED_FUNCTIONS)
