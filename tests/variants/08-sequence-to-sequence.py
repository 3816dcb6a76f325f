# Variants of the graded functions of 08-sequence-to-sequence, for the grading gate.
# Each block replaces the whole answer cell of its function (see docs/authoring.md).
# The notebook's earlier cells provide np.

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

# %% masked_sequence_loss wrong: no error contract, an empty mask gives nan (0 / 0) instead of ValueError
def masked_sequence_loss(logits, targets, mask):
    logits = np.asarray(logits, dtype=np.float64)
    mask = np.asarray(mask, dtype=bool)
    shifted = logits - logits.max(axis=-1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))
    picked = np.take_along_axis(log_probs, np.asarray(targets)[..., None], axis=-1)[..., 0]
    with np.errstate(invalid="ignore"):
        return float(-(picked * mask).sum() / mask.sum())


# %% greedy_decode wrong: no error contract, max_len < 1 returns [] instead of raising ValueError
def greedy_decode(step, state, bos_id, eos_id, max_len):
    tokens, token = [], bos_id
    for _ in range(max_len):
        log_probs, state = step(token, state)
        token = int(np.argmax(log_probs))
        tokens.append(token)
        if token == eos_id:
            break
    return tokens


# %% beam_search alternate: every token of every live hypothesis, heapq.nlargest, a length-normalised key at the end
def beam_search(step, state, bos_id, eos_id, beam_width, max_len, length_penalty=0.0):
    import heapq

    if beam_width < 1:
        raise ValueError("beam_width must be at least 1")
    if max_len < 1:
        raise ValueError("max_len must be at least 1")
    beam = [(0.0, (), state, False)]  # (total, tokens, state, finished)
    for _ in range(max_len):
        if all(done for *_, done in beam):
            break
        candidates = []
        for total, tokens, beam_state, done in beam:
            if done:
                candidates.append((total, tokens, beam_state, True))
                continue
            log_probs, new_state = step(tokens[-1] if tokens else bos_id, beam_state)
            for token, lp in enumerate(np.asarray(log_probs, dtype=np.float64)):
                candidates.append((total + lp, tokens + (token,), new_state, token == eos_id))
        beam = heapq.nlargest(beam_width, candidates, key=lambda c: c[0])
    scores = [total / len(tokens) ** length_penalty for total, tokens, _, _ in beam]
    total, tokens, _, _ = beam[int(np.argmax(scores))]
    return list(tokens), total


# %% beam_search alternate: a dict from token tuples to (total, state), np.exp of the penalty in log space
def beam_search(step, state, bos_id, eos_id, beam_width, max_len, length_penalty=0.0):
    if beam_width < 1 or max_len < 1:
        raise ValueError(f"beam_width={beam_width} and max_len={max_len} must be >= 1")
    beam = {(): (0.0, state)}
    for _ in range(max_len):
        grown = {}
        for tokens, (total, beam_state) in beam.items():
            if tokens and tokens[-1] == eos_id:
                grown[tokens] = (total, beam_state)
                continue
            log_probs, new_state = step(tokens[-1] if tokens else bos_id, beam_state)
            order = np.argsort(-np.asarray(log_probs, dtype=np.float64))[:beam_width]
            for token in order:
                grown[tokens + (int(token),)] = (total + float(log_probs[token]), new_state)
        kept = sorted(grown, key=lambda t: grown[t][0], reverse=True)[:beam_width]
        beam = {t: grown[t] for t in kept}
        if all(t[-1] == eos_id for t in beam):
            break
    best = max(beam, key=lambda t: beam[t][0] * np.exp(-length_penalty * np.log(len(t))))
    return list(best), beam[best][0]


# %% beam_search wrong: keeps extending hypotheses that already emitted <eos>
def beam_search(step, state, bos_id, eos_id, beam_width, max_len, length_penalty=0.0):
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


# %% beam_search wrong: applies the length penalty while pruning the beam, not only to rank the final beam
def beam_search(step, state, bos_id, eos_id, beam_width, max_len, length_penalty=0.0):
    if beam_width < 1 or max_len < 1:
        raise ValueError("beam_width and max_len must be at least 1")

    def score(c):
        return c[0] / len(c[1]) ** length_penalty

    beams = [(0.0, [], state)]
    for _ in range(max_len):
        candidates = []
        for total, tokens, beam_state in beams:
            if tokens and tokens[-1] == eos_id:
                candidates.append((total, tokens, beam_state))
                continue
            log_probs, new_state = step(tokens[-1] if tokens else bos_id, beam_state)
            for token in range(len(log_probs)):
                candidates.append((total + float(log_probs[token]), tokens + [token], new_state))
        candidates.sort(key=score, reverse=True)
        beams = candidates[:beam_width]
        if all(tokens[-1] == eos_id for _, tokens, _ in beams):
            break
    total, tokens, _ = max(beams, key=score)
    return tokens, total


# %% beam_search wrong: the length penalty counts <bos> too, divides by (len(tokens) + 1) ** length_penalty
def beam_search(step, state, bos_id, eos_id, beam_width, max_len, length_penalty=0.0):
    if beam_width < 1 or max_len < 1:
        raise ValueError("beam_width and max_len must be at least 1")
    beams = [(0.0, [bos_id], state)]
    for _ in range(max_len):
        candidates = []
        for total, tokens, beam_state in beams:
            if len(tokens) > 1 and tokens[-1] == eos_id:
                candidates.append((total, tokens, beam_state))
                continue
            log_probs, new_state = step(tokens[-1], beam_state)
            for token in range(len(log_probs)):
                candidates.append((total + float(log_probs[token]), tokens + [token], new_state))
        candidates.sort(key=lambda c: c[0], reverse=True)
        beams = candidates[:beam_width]
        if all(tokens[-1] == eos_id for _, tokens, _ in beams):
            break
    total, tokens, _ = max(beams, key=lambda c: c[0] / len(c[1]) ** length_penalty)
    return tokens[1:], total


# %% beam_search wrong: returns the length-normalised score as log_prob instead of the total
def beam_search(step, state, bos_id, eos_id, beam_width, max_len, length_penalty=0.0):
    if beam_width < 1 or max_len < 1:
        raise ValueError("beam_width and max_len must be at least 1")
    beams = [(0.0, [], state)]
    for _ in range(max_len):
        candidates = []
        for total, tokens, beam_state in beams:
            if tokens and tokens[-1] == eos_id:
                candidates.append((total, tokens, beam_state))
                continue
            log_probs, new_state = step(tokens[-1] if tokens else bos_id, beam_state)
            for token in range(len(log_probs)):
                candidates.append((total + float(log_probs[token]), tokens + [token], new_state))
        candidates.sort(key=lambda c: c[0], reverse=True)
        beams = candidates[:beam_width]
        if all(tokens[-1] == eos_id for _, tokens, _ in beams):
            break
    scored = [(total / len(tokens) ** length_penalty, tokens) for total, tokens, _ in beams]
    score, tokens = max(scored, key=lambda c: c[0])
    return tokens, score


# %% beam_search wrong: no error contract, beam_width < 1 is taken as 1 and max_len < 1 returns []
def beam_search(step, state, bos_id, eos_id, beam_width, max_len, length_penalty=0.0):
    beam_width = max(beam_width, 1)
    beams = [(0.0, [], state)]
    for _ in range(max_len):
        candidates = []
        for total, tokens, beam_state in beams:
            if tokens and tokens[-1] == eos_id:
                candidates.append((total, tokens, beam_state))
                continue
            log_probs, new_state = step(tokens[-1] if tokens else bos_id, beam_state)
            for token in range(len(log_probs)):
                candidates.append((total + float(log_probs[token]), tokens + [token], new_state))
        candidates.sort(key=lambda c: c[0], reverse=True)
        beams = candidates[:beam_width]
        if all(tokens[-1] == eos_id for _, tokens, _ in beams):
            break
    total, tokens, _ = max(beams, key=lambda c: c[0] / len(c[1]) ** length_penalty)
    return tokens, total


# %% masked_sequence_loss wrong: zeroes the caller's logits in place and returns log(V)
def masked_sequence_loss(logits, targets, mask):
    if not np.any(mask):
        raise ValueError("the mask has no real token")
    logits[...] = 0.0
    return float(np.log(np.shape(logits)[-1]))
