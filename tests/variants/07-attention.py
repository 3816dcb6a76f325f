# Variants of the graded functions of 07-attention, for the grading gate.
# Each block replaces the whole answer cell of its function (see docs/authoring.md).
# The notebook's earlier cells provide np and special (scipy.special), and softmax.

# %% softmax alternate: log-sum-exp form, keeps the dtype of its input (float32 stays float32)
def softmax(x, axis=-1):
    x = np.asarray(x)
    if not np.issubdtype(x.dtype, np.floating):
        x = x.astype(np.float64)
    m = np.max(x, axis=axis, keepdims=True)
    log_total = m + np.log(np.sum(np.exp(x - m), axis=axis, keepdims=True))
    return np.exp(x - log_total)


# %% softmax alternate: one 1-D slice at a time with apply_along_axis, plain Python sums
def softmax(x, axis=-1):
    def one_row(row):
        top = max(row)
        exps = [np.exp(value - top) for value in row]
        total = sum(exps)
        return np.array([e / total for e in exps])

    return np.apply_along_axis(one_row, axis, np.asarray(x, dtype=np.float64))


# %% softmax wrong: straight from the formula, no max subtraction (overflows at 1000)
def softmax(x, axis=-1):
    e = np.exp(x)
    return e / np.sum(e, axis=axis, keepdims=True)


# %% softmax wrong: the shift uses the right axis but the sum runs over axis 0
def softmax(x, axis=-1):
    e = np.exp(x - np.max(x, axis=axis, keepdims=True))
    return e / np.sum(e, axis=0, keepdims=True)


# %% softmax wrong: subtracts one global maximum (rows far below it underflow to 0/0)
def softmax(x, axis=-1):
    e = np.exp(x - np.max(x))
    return e / np.sum(e, axis=axis, keepdims=True)


# %% softmax wrong: sums without keepdims, so the division broadcasts along the wrong axis
def softmax(x, axis=-1):
    e = np.exp(x - np.max(x, axis=axis, keepdims=True))
    return e / np.sum(e, axis=axis)


# %% softmax wrong: right values, computed in place in the caller's x (x -= max, exp, /= sum)
def softmax(x, axis=-1):
    x -= np.max(x, axis=axis, keepdims=True)
    np.exp(x, out=x)
    x /= np.sum(x, axis=axis, keepdims=True)
    return x


# %% dot_product_attention alternate: einsum, -1e9 for masked scores, its own softmax
def dot_product_attention(query, key, value, mask=None):
    scores = np.einsum("bqd,bkd->bqk", query, key) / np.sqrt(query.shape[-1])
    if mask is not None:
        scores = scores - 1e9 * (1.0 - np.asarray(mask, dtype=scores.dtype))
    scores = scores - scores.max(axis=-1, keepdims=True)
    weights = np.exp(scores)
    weights = weights / weights.sum(axis=-1, keepdims=True)
    return np.einsum("bqk,bkv->bqv", weights, value), weights


# %% dot_product_attention alternate: loops over the batch and the queries, all in float32
def dot_product_attention(query, key, value, mask=None):
    query, key, value = (np.asarray(a, dtype=np.float32) for a in (query, key, value))
    batch, n_queries, d_k = query.shape
    weights = np.zeros((batch, n_queries, key.shape[1]), dtype=np.float32)
    context = np.zeros((batch, n_queries, value.shape[2]), dtype=np.float32)
    for b in range(batch):
        for i in range(n_queries):
            scores = key[b] @ query[b, i] / np.float32(np.sqrt(d_k))
            allowed = np.ones(len(scores), dtype=bool) if mask is None else np.asarray(mask[b, i])
            row = np.zeros_like(scores)
            row[allowed] = np.exp(scores[allowed] - scores[allowed].max())
            weights[b, i] = row / row.sum()
            context[b, i] = weights[b, i] @ value[b]
    return context, weights


# %% dot_product_attention wrong: forgets to scale the scores by 1/sqrt(d_k)
def dot_product_attention(query, key, value, mask=None):
    scores = query @ np.swapaxes(key, -1, -2)
    if mask is not None:
        scores = np.where(mask, scores, -np.inf)
    weights = np.exp(scores - scores.max(axis=-1, keepdims=True))
    weights = weights / weights.sum(axis=-1, keepdims=True)
    return weights @ value, weights


# %% dot_product_attention wrong: applies the mask after the softmax and does not renormalise
def dot_product_attention(query, key, value, mask=None):
    scores = query @ np.swapaxes(key, -1, -2) / np.sqrt(query.shape[-1])
    weights = np.exp(scores - scores.max(axis=-1, keepdims=True))
    weights = weights / weights.sum(axis=-1, keepdims=True)
    if mask is not None:
        weights = weights * mask
    return weights @ value, weights


# %% dot_product_attention wrong: mask polarity inverted (True taken as "hide")
def dot_product_attention(query, key, value, mask=None):
    scores = query @ np.swapaxes(key, -1, -2) / np.sqrt(query.shape[-1])
    if mask is not None:
        scores = np.where(mask, -np.inf, scores)
    weights = np.exp(scores - scores.max(axis=-1, keepdims=True))
    weights = weights / weights.sum(axis=-1, keepdims=True)
    return weights @ value, weights


# %% dot_product_attention wrong: scales by d_k instead of sqrt(d_k)
def dot_product_attention(query, key, value, mask=None):
    scores = query @ np.swapaxes(key, -1, -2) / query.shape[-1]
    if mask is not None:
        scores = np.where(mask, scores, -np.inf)
    weights = np.exp(scores - scores.max(axis=-1, keepdims=True))
    weights = weights / weights.sum(axis=-1, keepdims=True)
    return weights @ value, weights


# %% dot_product_attention wrong: masked scores set to 0 instead of -inf (still get weight)
def dot_product_attention(query, key, value, mask=None):
    scores = query @ np.swapaxes(key, -1, -2) / np.sqrt(query.shape[-1])
    if mask is not None:
        scores = scores * mask
    weights = np.exp(scores - scores.max(axis=-1, keepdims=True))
    weights = weights / weights.sum(axis=-1, keepdims=True)
    return weights @ value, weights


# %% dot_product_attention wrong: softmax over the queries (axis 1) instead of the keys
def dot_product_attention(query, key, value, mask=None):
    scores = query @ np.swapaxes(key, -1, -2) / np.sqrt(query.shape[-1])
    if mask is not None:
        scores = np.where(mask, scores, -1e9)
    weights = np.exp(scores - scores.max(axis=1, keepdims=True))
    weights = weights / weights.sum(axis=1, keepdims=True)
    return weights @ value, weights


# %% dot_product_attention wrong: right values, but scales the caller's query in place
def dot_product_attention(query, key, value, mask=None):
    query /= np.sqrt(query.shape[-1])
    scores = query @ np.swapaxes(key, -1, -2)
    if mask is not None:
        scores = np.where(mask, scores, -np.inf)
    weights = np.exp(scores - scores.max(axis=-1, keepdims=True))
    weights = weights / weights.sum(axis=-1, keepdims=True)
    return weights @ value, weights


# %% additive_attention alternate: explicit loops over every (query, key) pair
def additive_attention(query, key, value, W_q, W_k, v):
    batch, n_queries, _ = query.shape
    n_keys = key.shape[1]
    weights = np.zeros((batch, n_queries, n_keys))
    for b in range(batch):
        for i in range(n_queries):
            scores = np.array([v @ np.tanh(query[b, i] @ W_q + key[b, j] @ W_k)
                               for j in range(n_keys)])
            e = np.exp(scores - scores.max())
            weights[b, i] = e / e.sum()
    return weights @ value, weights


# %% additive_attention alternate: einsum in float32, projections broadcast with np.newaxis
def additive_attention(query, key, value, W_q, W_k, v):
    query, key, value, W_q, W_k, v = (np.asarray(a, dtype=np.float32)
                                      for a in (query, key, value, W_q, W_k, v))
    q = np.einsum("bid,da->bia", query, W_q)[:, :, np.newaxis]
    k = np.einsum("bjd,da->bja", key, W_k)[:, np.newaxis]
    scores = np.einsum("bija,a->bij", np.tanh(q + k), v)
    weights = np.exp(scores - scores.max(axis=-1, keepdims=True))
    weights /= weights.sum(axis=-1, keepdims=True)
    return np.einsum("bij,bjd->bid", weights, value), weights


# %% additive_attention wrong: forgets the tanh
def additive_attention(query, key, value, W_q, W_k, v):
    scores = ((query @ W_q)[:, :, None, :] + (key @ W_k)[:, None, :, :]) @ v
    weights = special.softmax(scores, axis=-1)
    return weights @ value, weights


# %% additive_attention wrong: adds the projections position by position (query i with key i only)
def additive_attention(query, key, value, W_q, W_k, v):
    scores = np.tanh(query @ W_q + key @ W_k) @ v  # (batch, T): needs Tq == Tk
    weights = special.softmax(np.repeat(scores[:, None, :], query.shape[1], axis=1), axis=-1)
    return weights @ value, weights


# %% additive_attention wrong: softmax over the queries instead of the keys
def additive_attention(query, key, value, W_q, W_k, v):
    hidden = np.tanh((query @ W_q)[:, :, None, :] + (key @ W_k)[:, None, :, :])
    weights = special.softmax(hidden @ v, axis=1)
    return weights @ value, weights


# %% additive_attention wrong: v applied inside the tanh, tanh(q W_q v + k W_k v)
def additive_attention(query, key, value, W_q, W_k, v):
    scores = np.tanh((query @ W_q @ v)[:, :, None] + (key @ W_k @ v)[:, None, :])
    weights = special.softmax(scores, axis=-1)
    return weights @ value, weights


# %% additive_attention wrong: a dot-product habit, divides the scores by sqrt(A)
def additive_attention(query, key, value, W_q, W_k, v):
    hidden = np.tanh((query @ W_q)[:, :, None, :] + (key @ W_k)[:, None, :, :])
    weights = special.softmax(hidden @ v / np.sqrt(len(v)), axis=-1)
    return weights @ value, weights


# %% additive_attention wrong: right values, but centres the caller's value in place
def additive_attention(query, key, value, W_q, W_k, v):
    mean = value.mean(axis=1, keepdims=True)  # (batch, 1, d_v)
    value -= mean  # the weights sum to 1, so weights @ value = weights @ (value - mean) + mean
    hidden = np.tanh((query @ W_q)[:, :, None, :] + (key @ W_k)[:, None, :, :])
    scores = hidden @ v
    weights = np.exp(scores - scores.max(axis=-1, keepdims=True))
    weights = weights / weights.sum(axis=-1, keepdims=True)
    return weights @ value + mean, weights


# %% softmax wrong: zeroes the caller's x in place and returns uniform weights
def softmax(x, axis=-1):
    x[...] = 0.0
    return np.full(np.shape(x), 1.0 / np.shape(x)[axis])
