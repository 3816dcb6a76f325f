# Variants of the graded functions of 07-attention, for the grading gate.
# Each block replaces the whole answer cell of its function (see docs/authoring.md).
# The notebook's earlier cells provide np (and softmax, for the later functions).

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
    weights = softmax(scores, axis=-1)
    return weights @ value, weights


# %% additive_attention wrong: adds the projections position by position (query i with key i only)
def additive_attention(query, key, value, W_q, W_k, v):
    scores = np.tanh(query @ W_q + key @ W_k) @ v  # (batch, T): needs Tq == Tk
    weights = softmax(np.repeat(scores[:, None, :], query.shape[1], axis=1), axis=-1)
    return weights @ value, weights


# %% additive_attention wrong: softmax over the queries instead of the keys
def additive_attention(query, key, value, W_q, W_k, v):
    hidden = np.tanh((query @ W_q)[:, :, None, :] + (key @ W_k)[:, None, :, :])
    weights = softmax(hidden @ v, axis=1)
    return weights @ value, weights


# %% additive_attention wrong: v applied inside the tanh, tanh(q W_q v + k W_k v)
def additive_attention(query, key, value, W_q, W_k, v):
    scores = np.tanh((query @ W_q @ v)[:, :, None] + (key @ W_k @ v)[:, None, :])
    weights = softmax(scores, axis=-1)
    return weights @ value, weights


# %% additive_attention wrong: a dot-product habit, divides the scores by sqrt(A)
def additive_attention(query, key, value, W_q, W_k, v):
    hidden = np.tanh((query @ W_q)[:, :, None, :] + (key @ W_k)[:, None, :, :])
    weights = softmax(hidden @ v / np.sqrt(len(v)), axis=-1)
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


# %% masked_sequence_loss alternate: log-sum-exp with np.where, the mean as a weighted sum, float32 kept
def masked_sequence_loss(logits, targets, mask):
    logits = np.asarray(logits)
    mask = np.asarray(mask)
    if np.count_nonzero(mask) == 0:
        raise ValueError("no real token in the mask")
    top = np.max(logits, axis=-1)
    log_total = top + np.log(np.sum(np.exp(logits - top[..., None]), axis=-1))
    target_logit = np.take_along_axis(logits, np.asarray(targets)[..., None], axis=-1)[..., 0]
    per_token = np.where(mask, log_total - target_logit, 0.0)
    return float(per_token.sum() / np.count_nonzero(mask))


# %% masked_sequence_loss alternate: loops over the real tokens, one log-softmax each
def masked_sequence_loss(logits, targets, mask):
    total, count = 0.0, 0
    for b in range(len(targets)):
        for t in range(len(targets[b])):
            if not mask[b][t]:
                continue
            row = np.asarray(logits[b][t], dtype=np.float64)
            top = row.max()
            total += top + np.log(np.exp(row - top).sum()) - row[targets[b][t]]
            count += 1
    if count == 0:
        raise ValueError("the mask has no real token")
    return total / count


# %% masked_sequence_loss wrong: averages over every position, padded ones included (sum / batch*T)
def masked_sequence_loss(logits, targets, mask):
    logits = np.asarray(logits, dtype=np.float64)
    mask = np.asarray(mask, dtype=bool)
    if not mask.any():
        raise ValueError("the mask has no real token")
    shifted = logits - logits.max(axis=-1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))
    picked = np.take_along_axis(log_probs, targets[..., None], axis=-1)[..., 0]
    return float(-(picked * mask).sum() / mask.size)


# %% masked_sequence_loss wrong: ignores the mask (the mean over every position)
def masked_sequence_loss(logits, targets, mask):
    logits = np.asarray(logits, dtype=np.float64)
    if not np.any(mask):
        raise ValueError("the mask has no real token")
    shifted = logits - logits.max(axis=-1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))
    picked = np.take_along_axis(log_probs, targets[..., None], axis=-1)[..., 0]
    return float(-picked.mean())


# %% masked_sequence_loss wrong: log of a softmax (overflows and takes log 0 for large logits)
def masked_sequence_loss(logits, targets, mask):
    mask = np.asarray(mask, dtype=bool)
    if not mask.any():
        raise ValueError("the mask has no real token")
    e = np.exp(logits)
    probs = e / e.sum(axis=-1, keepdims=True)
    picked = np.take_along_axis(probs, targets[..., None], axis=-1)[..., 0]
    return float(-np.log(picked[mask]).mean())


# %% masked_sequence_loss wrong: the mean of per-sequence means (short sequences weigh more)
def masked_sequence_loss(logits, targets, mask):
    logits = np.asarray(logits, dtype=np.float64)
    mask = np.asarray(mask, dtype=bool)
    if not mask.any():
        raise ValueError("the mask has no real token")
    shifted = logits - logits.max(axis=-1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))
    picked = np.take_along_axis(log_probs, targets[..., None], axis=-1)[..., 0]
    per_sequence = -(picked * mask).sum(axis=1) / np.maximum(mask.sum(axis=1), 1)
    return float(per_sequence[mask.any(axis=1)].mean())


# %% greedy_decode alternate: a while loop that checks the last token, numpy ints in the list
def greedy_decode(step, state, bos_id, eos_id, max_len):
    if max_len < 1:
        raise ValueError("max_len must be positive")
    tokens = []
    while len(tokens) < max_len and (not tokens or tokens[-1] != eos_id):
        log_probs, state = step(tokens[-1] if tokens else bos_id, state)
        tokens.append(np.argmax(log_probs))
    return tokens


# %% greedy_decode alternate: recursion, one step per call
def greedy_decode(step, state, bos_id, eos_id, max_len):
    if max_len < 1:
        raise ValueError(f"max_len must be at least 1, got {max_len}")
    log_probs, state = step(bos_id, state)
    token = int(np.argmax(log_probs))
    if token == eos_id or max_len == 1:
        return [token]
    return [token] + greedy_decode(step, state, token, eos_id, max_len - 1)


# %% greedy_decode wrong: does not stop at <eos>, always decodes max_len tokens
def greedy_decode(step, state, bos_id, eos_id, max_len):
    if max_len < 1:
        raise ValueError("max_len must be at least 1")
    tokens, token = [], bos_id
    for _ in range(max_len):
        log_probs, state = step(token, state)
        token = int(np.argmax(log_probs))
        tokens.append(token)
    return tokens


# %% greedy_decode wrong: feeds the initial state at every step (the state is not carried)
def greedy_decode(step, state, bos_id, eos_id, max_len):
    if max_len < 1:
        raise ValueError("max_len must be at least 1")
    tokens, token = [], bos_id
    for _ in range(max_len):
        log_probs, _ = step(token, state)
        token = int(np.argmax(log_probs))
        tokens.append(token)
        if token == eos_id:
            break
    return tokens


# %% greedy_decode wrong: leaves <eos> out of the result
def greedy_decode(step, state, bos_id, eos_id, max_len):
    if max_len < 1:
        raise ValueError("max_len must be at least 1")
    tokens, token = [], bos_id
    for _ in range(max_len):
        log_probs, state = step(token, state)
        token = int(np.argmax(log_probs))
        if token == eos_id:
            break
        tokens.append(token)
    return tokens


# %% greedy_decode wrong: off by one, decodes up to max_len + 1 tokens
def greedy_decode(step, state, bos_id, eos_id, max_len):
    if max_len < 1:
        raise ValueError("max_len must be at least 1")
    tokens, token = [], bos_id
    while len(tokens) <= max_len:
        log_probs, state = step(token, state)
        token = int(np.argmax(log_probs))
        tokens.append(token)
        if token == eos_id:
            break
    return tokens


# %% beam_search alternate: finished hypotheses leave the beam for a list; heapq picks the best
def beam_search(step, state, bos_id, eos_id, beam_width, max_len):
    import heapq

    if beam_width < 1 or max_len < 1:
        raise ValueError("beam_width and max_len must be at least 1")
    live = [(0.0, [bos_id], state)]
    finished = []
    for _ in range(max_len):
        candidates = []
        for score, tokens, beam_state in live:
            log_probs, new_state = step(tokens[-1], beam_state)
            for token, token_log_prob in enumerate(log_probs):
                candidates.append((score + float(token_log_prob), tokens + [token], new_state))
        best = heapq.nlargest(beam_width, candidates, key=lambda c: c[0])
        finished += [c for c in best if c[1][-1] == eos_id]
        live = [c for c in best if c[1][-1] != eos_id]
        if not live:
            break
    score, tokens, _ = max(finished + live, key=lambda c: c[0])
    return tokens[1:], score


# %% beam_search wrong: keeps extending hypotheses that already emitted <eos>
def beam_search(step, state, bos_id, eos_id, beam_width, max_len):
    if beam_width < 1 or max_len < 1:
        raise ValueError("beam_width and max_len must be at least 1")
    beams = [(0.0, [], state)]
    for _ in range(max_len):
        candidates = []
        for total, tokens, beam_state in beams:
            log_probs, new_state = step(tokens[-1] if tokens else bos_id, beam_state)
            for token in np.argsort(log_probs)[::-1][:beam_width]:
                candidates.append((total + float(log_probs[token]), tokens + [int(token)], new_state))
        candidates.sort(key=lambda c: c[0], reverse=True)
        beams = candidates[:beam_width]
    total, tokens, _ = beams[0]
    return tokens, total


# %% beam_search wrong: ranks the hypotheses by the last step's log-probability only
def beam_search(step, state, bos_id, eos_id, beam_width, max_len):
    if beam_width < 1 or max_len < 1:
        raise ValueError("beam_width and max_len must be at least 1")
    beams = [(0.0, 0.0, [], state)]  # (last step's log-probability, total, tokens, state)
    for _ in range(max_len):
        candidates = []
        for last, total, tokens, beam_state in beams:
            if tokens and tokens[-1] == eos_id:
                candidates.append((last, total, tokens, beam_state))
                continue
            log_probs, new_state = step(tokens[-1] if tokens else bos_id, beam_state)
            for token in range(len(log_probs)):
                lp = float(log_probs[token])
                candidates.append((lp, total + lp, tokens + [token], new_state))
        candidates.sort(key=lambda c: c[0], reverse=True)
        beams = candidates[:beam_width]
        if all(tokens[-1] == eos_id for _, _, tokens, _ in beams):
            break
    _, total, tokens, _ = beams[0]
    return tokens, total


# %% beam_search wrong: every hypothesis is extended from the initial state
def beam_search(step, state, bos_id, eos_id, beam_width, max_len):
    if beam_width < 1 or max_len < 1:
        raise ValueError("beam_width and max_len must be at least 1")
    beams = [(0.0, [])]
    for _ in range(max_len):
        candidates = []
        for total, tokens in beams:
            if tokens and tokens[-1] == eos_id:
                candidates.append((total, tokens))
                continue
            log_probs, _ = step(tokens[-1] if tokens else bos_id, state)
            for token in range(len(log_probs)):
                candidates.append((total + float(log_probs[token]), tokens + [token]))
        candidates.sort(key=lambda c: c[0], reverse=True)
        beams = candidates[:beam_width]
        if all(tokens[-1] == eos_id for _, tokens in beams):
            break
    return beams[0][1], beams[0][0]


# %% beam_search wrong: returns the log-probability of the last step, not the total
def beam_search(step, state, bos_id, eos_id, beam_width, max_len):
    if beam_width < 1 or max_len < 1:
        raise ValueError("beam_width and max_len must be at least 1")
    beams = [(0.0, [], state, 0.0)]
    for _ in range(max_len):
        candidates = []
        for total, tokens, beam_state, last in beams:
            if tokens and tokens[-1] == eos_id:
                candidates.append((total, tokens, beam_state, last))
                continue
            log_probs, new_state = step(tokens[-1] if tokens else bos_id, beam_state)
            for token in range(len(log_probs)):
                lp = float(log_probs[token])
                candidates.append((total + lp, tokens + [token], new_state, lp))
        candidates.sort(key=lambda c: c[0], reverse=True)
        beams = candidates[:beam_width]
        if all(tokens[-1] == eos_id for _, tokens, _, _ in beams):
            break
    return beams[0][1], beams[0][3]


# %% softmax wrong: zeroes the caller's x in place and returns uniform weights
def softmax(x, axis=-1):
    x[...] = 0.0
    return np.full(np.shape(x), 1.0 / np.shape(x)[axis])


# %% masked_sequence_loss wrong: zeroes the caller's logits in place and returns log(V)
def masked_sequence_loss(logits, targets, mask):
    if not np.any(mask):
        raise ValueError("the mask has no real token")
    logits[...] = 0.0
    return float(np.log(np.shape(logits)[-1]))
