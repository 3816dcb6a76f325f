# Variants of the graded functions of 10-transformers, for the grading gate.
# Each block replaces the whole answer cell of its function (see docs/authoring.md).
# The notebook's earlier cells provide np and softmax (scipy.special's), and layer_norm
# for transformer_block_forward's default norm.

# %% multi_head_self_attention alternate: loop-free einsum over all heads, its own softmax
def multi_head_self_attention(x, W_q, W_k, W_v, W_o, causal=False):
    q = np.einsum("btd,dhk->bhtk", x, W_q)
    k = np.einsum("btd,dhk->bhtk", x, W_k)
    v = np.einsum("btd,dhk->bhtk", x, W_v)
    scores = np.einsum("bhik,bhjk->bhij", q, k) / np.sqrt(W_q.shape[-1])
    if causal:
        T = x.shape[1]
        scores = np.where(np.arange(T)[None, :] <= np.arange(T)[:, None], scores, -np.inf)
    scores = scores - scores.max(axis=-1, keepdims=True)
    weights = np.exp(scores)
    weights = weights / weights.sum(axis=-1, keepdims=True)
    context = np.einsum("bhij,bhjk->bhik", weights, v)
    return np.einsum("bhik,hke->bie", context, W_o), weights


# %% multi_head_self_attention alternate: float32 throughout, mask by -1e9, heads by reshape
def multi_head_self_attention(x, W_q, W_k, W_v, W_o, causal=False):
    x = np.asarray(x, dtype=np.float32)
    batch, T, d_model = x.shape
    heads, d_head = W_q.shape[1], W_q.shape[2]

    def split(W):  # (batch, heads, T, d_head)
        flat = x @ np.asarray(W, np.float32).reshape(d_model, heads * d_head)
        return flat.reshape(batch, T, heads, d_head).transpose(0, 2, 1, 3)

    q, k, v = split(W_q), split(W_k), split(W_v)
    scores = q @ k.transpose(0, 1, 3, 2) / np.float32(np.sqrt(d_head))
    if causal:
        scores = scores - 1e9 * np.triu(np.ones((T, T), np.float32), k=1)
    weights = softmax(scores, axis=-1)
    joined = (weights @ v).transpose(0, 2, 1, 3).reshape(batch, T, heads * d_head)
    return joined @ np.asarray(W_o, np.float32).reshape(heads * d_head, d_model), weights


# %% multi_head_self_attention wrong: heads joined in the wrong order (d_head-major, interleaved)
def multi_head_self_attention(x, W_q, W_k, W_v, W_o, causal=False):
    T = x.shape[1]
    heads, d_head = W_q.shape[1], W_q.shape[2]
    allowed = np.tril(np.ones((T, T), dtype=bool)) if causal else np.ones((T, T), dtype=bool)
    contexts, all_weights = [], []
    for r in range(heads):
        q, k, v = x @ W_q[:, r], x @ W_k[:, r], x @ W_v[:, r]
        weights = softmax(np.where(allowed, q @ np.swapaxes(k, -1, -2) / np.sqrt(d_head), -np.inf))
        contexts.append(weights @ v)
        all_weights.append(weights)
    joined = np.stack(contexts, axis=-1).reshape(x.shape[0], T, heads * d_head)
    return joined @ W_o.reshape(heads * d_head, -1), np.stack(all_weights, axis=1)


# %% multi_head_self_attention wrong: causal mask off by one (position i also sees i + 1)
def multi_head_self_attention(x, W_q, W_k, W_v, W_o, causal=False):
    T = x.shape[1]
    heads, d_head = W_q.shape[1], W_q.shape[2]
    allowed = np.tril(np.ones((T, T), dtype=bool), k=1) if causal else np.ones((T, T), dtype=bool)
    contexts, all_weights = [], []
    for r in range(heads):
        q, k, v = x @ W_q[:, r], x @ W_k[:, r], x @ W_v[:, r]
        weights = softmax(np.where(allowed, q @ np.swapaxes(k, -1, -2) / np.sqrt(d_head), -np.inf))
        contexts.append(weights @ v)
        all_weights.append(weights)
    joined = np.concatenate(contexts, axis=-1)
    return joined @ W_o.reshape(heads * d_head, -1), np.stack(all_weights, axis=1)


# %% multi_head_self_attention wrong: the softmax runs over the queries (axis -2)
def multi_head_self_attention(x, W_q, W_k, W_v, W_o, causal=False):
    T = x.shape[1]
    heads, d_head = W_q.shape[1], W_q.shape[2]
    allowed = np.tril(np.ones((T, T), dtype=bool)) if causal else np.ones((T, T), dtype=bool)
    contexts, all_weights = [], []
    for r in range(heads):
        q, k, v = x @ W_q[:, r], x @ W_k[:, r], x @ W_v[:, r]
        scores = q @ np.swapaxes(k, -1, -2) / np.sqrt(d_head)
        weights = softmax(np.where(allowed, scores, -np.inf), axis=-2)
        contexts.append(weights @ v)
        all_weights.append(weights)
    joined = np.concatenate(contexts, axis=-1)
    return joined @ W_o.reshape(heads * d_head, -1), np.stack(all_weights, axis=1)


# %% multi_head_self_attention wrong: right values, but scales the caller's W_q in place
def multi_head_self_attention(x, W_q, W_k, W_v, W_o, causal=False):
    T = x.shape[1]
    heads, d_head = W_q.shape[1], W_q.shape[2]
    W_q /= np.sqrt(d_head)  # a known trick, but it belongs on a copy
    allowed = np.tril(np.ones((T, T), dtype=bool)) if causal else np.ones((T, T), dtype=bool)
    contexts, all_weights = [], []
    for r in range(heads):
        q, k, v = x @ W_q[:, r], x @ W_k[:, r], x @ W_v[:, r]
        weights = softmax(np.where(allowed, q @ np.swapaxes(k, -1, -2), -np.inf))
        contexts.append(weights @ v)
        all_weights.append(weights)
    joined = np.concatenate(contexts, axis=-1)
    return joined @ W_o.reshape(heads * d_head, -1), np.stack(all_weights, axis=1)


# %% sinusoidal_positions alternate: even and odd columns filled by slices, frequencies by exp/log
def sinusoidal_positions(length, d_model):
    table = np.zeros((length, d_model))
    frequencies = np.exp(-np.log(10000.0) * np.arange(0, d_model, 2) / d_model)  # one per pair
    angles = np.arange(length)[:, None] * frequencies[None, :]
    table[:, 0::2] = np.sin(angles)
    table[:, 1::2] = np.cos(angles[:, : d_model // 2])
    return table


# %% sinusoidal_positions alternate: two plain loops, float32 result
def sinusoidal_positions(length, d_model):
    table = np.empty((length, d_model), dtype=np.float32)
    for p in range(length):
        for column in range(d_model):
            angle = p / 10000 ** ((column - column % 2) / d_model)
            table[p, column] = np.sin(angle) if column % 2 == 0 else np.cos(angle)
    return table


# %% sinusoidal_positions wrong: sin and cos swapped (cos in the even columns)
def sinusoidal_positions(length, d_model):
    positions = np.arange(length)[:, None]
    pair = np.arange(d_model) // 2
    angles = positions / 10000.0 ** (2 * pair / d_model)
    return np.where(np.arange(d_model) % 2 == 0, np.cos(angles), np.sin(angles))


# %% sinusoidal_positions wrong: the exponent without the 2 (10000 ** (i / d_model))
def sinusoidal_positions(length, d_model):
    positions = np.arange(length)[:, None]
    pair = np.arange(d_model) // 2
    angles = positions / 10000.0 ** (pair / d_model)
    return np.where(np.arange(d_model) % 2 == 0, np.sin(angles), np.cos(angles))


# %% sinusoidal_positions wrong: angles in float32 (off by up to ~5e-4 far along a long table)
def sinusoidal_positions(length, d_model):
    positions = np.arange(length, dtype=np.float32)[:, None]
    pair = (np.arange(d_model) // 2).astype(np.float32)
    angles = positions / np.float32(10000.0) ** (np.float32(2.0) * pair / np.float32(d_model))
    return np.where(np.arange(d_model) % 2 == 0, np.sin(angles), np.cos(angles))


# %% layer_norm alternate: np.var and np.sqrt in float32, gamma and beta applied first to the scale
def layer_norm(x, gamma, beta, eps=1e-3):
    x = np.asarray(x, dtype=np.float32)
    centred = x - x.mean(axis=-1, keepdims=True)
    scale = np.asarray(gamma, np.float32) / np.sqrt(np.var(x, axis=-1, keepdims=True) + eps)
    return centred * scale + np.asarray(beta, np.float32)


# %% layer_norm alternate: a loop over the rows of a 2-D view, statistics by hand
def layer_norm(x, gamma, beta, eps=1e-3):
    x = np.asarray(x, dtype=np.float64)
    rows = x.reshape(-1, x.shape[-1])
    out = np.empty_like(rows)
    for i, row in enumerate(rows):
        mean = sum(row) / len(row)
        var = sum((v - mean) ** 2 for v in row) / len(row)
        out[i] = (row - mean) / (var + eps) ** 0.5 * gamma + beta
    return out.reshape(x.shape)


# %% layer_norm wrong: the unbiased variance (divided by d - 1)
def layer_norm(x, gamma, beta, eps=1e-3):
    mean = np.mean(x, axis=-1, keepdims=True)
    var = np.var(x, axis=-1, ddof=1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * gamma + beta


# %% layer_norm wrong: eps outside the square root (std + eps)
def layer_norm(x, gamma, beta, eps=1e-3):
    mean = np.mean(x, axis=-1, keepdims=True)
    return (x - mean) / (np.std(x, axis=-1, keepdims=True) + eps) * gamma + beta


# %% layer_norm wrong: normalises over the batch axis (batch norm's statistics)
def layer_norm(x, gamma, beta, eps=1e-3):
    mean = np.mean(x, axis=0, keepdims=True)
    var = np.var(x, axis=0, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * gamma + beta


# %% layer_norm wrong: centres the caller's x in place, and forgets gamma and beta
def layer_norm(x, gamma, beta, eps=1e-3):
    x -= np.mean(x, axis=-1, keepdims=True)
    return x / np.sqrt(np.mean(x ** 2, axis=-1, keepdims=True) + eps)


# %% transformer_block_forward alternate: relu as a mask, attention's result by index, keywords
def transformer_block_forward(x, p, attention, causal=True, norm=layer_norm):
    h = norm(x, gamma=p["ln1_gamma"], beta=p["ln1_beta"])
    a = x + attention(h, p["W_q"], p["W_k"], p["W_v"], p["W_o"], causal=causal)[0]
    hidden = norm(a, p["ln2_gamma"], p["ln2_beta"]) @ p["W_1"] + p["b_1"]
    hidden = hidden * (hidden > 0)
    return a + (hidden @ p["W_2"] + p["b_2"])


# %% transformer_block_forward alternate: float64 copies, the feed-forward net by einsum
def transformer_block_forward(x, p, attention, causal=True, norm=layer_norm):
    x = np.array(x, dtype=np.float64)
    out, _ = attention(norm(x, p["ln1_gamma"], p["ln1_beta"]), p["W_q"], p["W_k"], p["W_v"],
                       p["W_o"], causal)
    a = x + np.asarray(out, dtype=np.float64)
    n = norm(a, p["ln2_gamma"], p["ln2_beta"])
    hidden = np.maximum(np.einsum("btd,df->btf", n, p["W_1"]) + p["b_1"], 0.0)
    return a + np.einsum("btf,fd->btd", hidden, p["W_2"]) + p["b_2"]


# %% transformer_block_forward wrong: post-LN (normalises after each residual sum)
def transformer_block_forward(x, p, attention, causal=True, norm=layer_norm):
    a = norm(x + attention(x, p["W_q"], p["W_k"], p["W_v"], p["W_o"], causal)[0],
             p["ln1_gamma"], p["ln1_beta"])
    hidden = np.maximum(a @ p["W_1"] + p["b_1"], 0.0)
    return norm(a + hidden @ p["W_2"] + p["b_2"], p["ln2_gamma"], p["ln2_beta"])


# %% transformer_block_forward wrong: forgets the attention step's residual (a = attention only)
def transformer_block_forward(x, p, attention, causal=True, norm=layer_norm):
    a = attention(norm(x, p["ln1_gamma"], p["ln1_beta"]), p["W_q"], p["W_k"], p["W_v"], p["W_o"],
                  causal)[0]
    hidden = np.maximum(norm(a, p["ln2_gamma"], p["ln2_beta"]) @ p["W_1"] + p["b_1"], 0.0)
    return a + hidden @ p["W_2"] + p["b_2"]


# %% transformer_block_forward wrong: the relu after the second dense layer, not between them
def transformer_block_forward(x, p, attention, causal=True, norm=layer_norm):
    a = x + attention(norm(x, p["ln1_gamma"], p["ln1_beta"]), p["W_q"], p["W_k"], p["W_v"],
                      p["W_o"], causal)[0]
    ff = (norm(a, p["ln2_gamma"], p["ln2_beta"]) @ p["W_1"] + p["b_1"]) @ p["W_2"] + p["b_2"]
    return a + np.maximum(ff, 0.0)


# %% transformer_block_forward wrong: ignores causal (always asks attention for the mask)
def transformer_block_forward(x, p, attention, causal=True, norm=layer_norm):
    a = x + attention(norm(x, p["ln1_gamma"], p["ln1_beta"]), p["W_q"], p["W_k"], p["W_v"],
                      p["W_o"], True)[0]
    hidden = np.maximum(norm(a, p["ln2_gamma"], p["ln2_beta"]) @ p["W_1"] + p["b_1"], 0.0)
    return a + hidden @ p["W_2"] + p["b_2"]
