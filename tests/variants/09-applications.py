# Variants of the graded functions of 09-applications, for the grading gate.
# Each block replaces the whole answer cell of its function (see docs/authoring.md).
# The notebook's earlier cells provide np.

# %% encode alternate: list.index (raises ValueError by itself for an unknown character)
def encode(text, vocab):
    return np.array([vocab.index(char) for char in text], dtype=int)


# %% encode alternate: argsort + searchsorted, with a membership check
def encode(text, vocab):
    chars = np.array(list(text), dtype="<U1")
    table = np.array(vocab, dtype="<U1")
    order = np.argsort(table)
    pos = np.clip(np.searchsorted(table[order], chars), 0, len(table) - 1)
    found = table[order][pos] == chars
    if not found.all():
        raise ValueError(f"not in the vocabulary: {sorted(set(chars[~found].tolist()))}")
    return order[pos]


# %% encode wrong: off by one (ids counted from 1)
def encode(text, vocab):
    return np.array([vocab.index(char) + 1 for char in text])


# %% encode wrong: unknown characters silently become id 0
def encode(text, vocab):
    index = {char: i for i, char in enumerate(vocab)}
    return np.array([index.get(char, 0) for char in text], dtype=int)


# %% encode wrong: returns a Python list instead of a numpy array
def encode(text, vocab):
    return [vocab.index(char) for char in text]


# %% sequential_chunks alternate: loops over chunks and rows, slicing the stream
def sequential_chunks(ids, batch_size, chunk):
    if batch_size < 1 or chunk < 1:
        raise ValueError("batch_size and chunk must be at least 1")
    length = max((len(ids) - 1) // batch_size, 0)
    n_chunks = length // chunk
    X = np.zeros((n_chunks, batch_size, chunk), dtype=int)
    Y = np.zeros((n_chunks, batch_size, chunk), dtype=int)
    for k in range(n_chunks):
        for r in range(batch_size):
            start = r * length + k * chunk
            X[k, r] = ids[start : start + chunk]
            Y[k, r] = ids[start + 1 : start + chunk + 1]
    return X, Y


# %% sequential_chunks alternate: one index array (chunk starts + offsets), int32
def sequential_chunks(ids, batch_size, chunk):
    if min(batch_size, chunk) < 1:
        raise ValueError("sizes below 1")
    ids = np.asarray(ids)
    length = max(0, (len(ids) - 1) // batch_size)
    starts = np.arange(length // chunk)[:, None] * chunk + np.arange(batch_size) * length
    index = starts[..., None] + np.arange(chunk)
    return ids[index].astype(np.int32), ids[index + 1].astype(np.int32)


# %% sequential_chunks wrong: the rows of a batch are consecutive chunks of the stream
def sequential_chunks(ids, batch_size, chunk):
    if batch_size < 1 or chunk < 1:
        raise ValueError("batch_size and chunk must be at least 1")
    ids = np.asarray(ids)
    n_chunks = ((len(ids) - 1) // batch_size) // chunk
    used = n_chunks * batch_size * chunk
    shape = (n_chunks, batch_size, chunk)
    return ids[:used].reshape(shape), ids[1 : used + 1].reshape(shape)


# %% sequential_chunks wrong: targets not shifted (Y is X)
def sequential_chunks(ids, batch_size, chunk):
    if batch_size < 1 or chunk < 1:
        raise ValueError("batch_size and chunk must be at least 1")
    ids = np.asarray(ids)
    length = (len(ids) - 1) // batch_size
    n_chunks = length // chunk
    parts = ids[: batch_size * length].reshape(batch_size, length)[:, : n_chunks * chunk]
    X = parts.reshape(batch_size, n_chunks, chunk).transpose(1, 0, 2)
    return X, X.copy()


# %% sequential_chunks wrong: reshapes the (batch, L) parts straight to (n_chunks, batch, chunk)
def sequential_chunks(ids, batch_size, chunk):
    if batch_size < 1 or chunk < 1:
        raise ValueError("batch_size and chunk must be at least 1")
    ids = np.asarray(ids)
    length = (len(ids) - 1) // batch_size
    n_chunks = length // chunk
    shape = (n_chunks, batch_size, chunk)
    x = ids[: batch_size * length].reshape(batch_size, length)[:, : n_chunks * chunk]
    y = ids[1 : batch_size * length + 1].reshape(batch_size, length)[:, : n_chunks * chunk]
    return x.reshape(shape), y.reshape(shape)


# %% sequential_chunks wrong: parts of length len(ids) // batch_size (one id too long when len(ids) is a multiple of batch_size)
def sequential_chunks(ids, batch_size, chunk):
    if batch_size < 1 or chunk < 1:
        raise ValueError("batch_size and chunk must be at least 1")
    ids = np.asarray(ids)
    length = len(ids) // batch_size
    n_chunks = length // chunk
    X = np.stack([ids[r * length : r * length + n_chunks * chunk] for r in range(batch_size)])
    Y = np.stack([ids[r * length + 1 : r * length + n_chunks * chunk + 1]
                  for r in range(batch_size)])
    shape = (batch_size, n_chunks, chunk)
    return X.reshape(shape).transpose(1, 0, 2), Y.reshape(shape).transpose(1, 0, 2)


# %% perplexity alternate: sum divided by size
def perplexity(log_probs):
    log_probs = np.asarray(log_probs, dtype=np.float64)
    return float(np.exp(-log_probs.sum() / log_probs.size))


# %% perplexity alternate: in bits, with the matching base (2 ** bits per character)
def perplexity(log_probs):
    bits = -np.mean(np.asarray(log_probs, dtype=np.float64)) / np.log(2)
    return float(2.0 ** bits)


# %% perplexity wrong: sign error, exp(mean(log_probs))
def perplexity(log_probs):
    return float(np.exp(np.mean(log_probs)))


# %% perplexity wrong: mixes bases, 2 ** (mean negative natural log)
def perplexity(log_probs):
    return float(2.0 ** (-np.mean(log_probs)))


# %% perplexity wrong: sum instead of mean
def perplexity(log_probs):
    return float(np.exp(-np.sum(log_probs)))


# %% sample_with_temperature alternate: inverse CDF with one rng.random() and searchsorted
def sample_with_temperature(logits, temperature, rng):
    z = np.asarray(logits, dtype=np.float64) / temperature
    weights = np.exp(z - z.max())
    cdf = np.cumsum(weights)
    return int(np.searchsorted(cdf, rng.random() * cdf[-1], side="right"))


# %% sample_with_temperature alternate: the Gumbel-max trick (no softmax at all)
def sample_with_temperature(logits, temperature, rng):
    z = np.asarray(logits, dtype=np.float64) / temperature
    return np.argmax(z + rng.gumbel(size=z.shape))


# %% sample_with_temperature alternate: one multinomial draw, float32 softmax
def sample_with_temperature(logits, temperature, rng):
    z = np.asarray(logits, dtype=np.float32) / np.float32(temperature)
    p = np.exp(z - z.max())
    p = p.astype(np.float64) / p.sum(dtype=np.float64)
    return int(np.argmax(rng.multinomial(1, p)))


# %% sample_with_temperature wrong: multiplies by the temperature instead of dividing
def sample_with_temperature(logits, temperature, rng):
    z = np.asarray(logits, dtype=np.float64) * temperature
    p = np.exp(z - z.max())
    return int(rng.choice(len(p), p=p / p.sum()))


# %% sample_with_temperature wrong: ignores rng, draws from numpy's global generator
def sample_with_temperature(logits, temperature, rng):
    z = np.asarray(logits, dtype=np.float64) / temperature
    p = np.exp(z - z.max())
    return int(np.random.choice(len(p), p=p / p.sum()))


# %% sample_with_temperature wrong: always the argmax (greedy)
def sample_with_temperature(logits, temperature, rng):
    return int(np.argmax(logits))


# %% sample_with_temperature wrong: divides the caller's logits in place
def sample_with_temperature(logits, temperature, rng):
    logits /= temperature
    p = np.exp(logits - logits.max())
    return int(rng.choice(len(p), p=p / p.sum()))


# %% anomaly_threshold alternate: the formulas written out
def anomaly_threshold(errors, k):
    e = np.asarray(errors, dtype=np.float64).ravel()
    mean = e.sum() / e.size
    return float(mean), float(k * np.sqrt(np.mean((e - mean) ** 2)))


# %% anomaly_threshold alternate: float32 arithmetic, numpy scalars returned
def anomaly_threshold(errors, k):
    e = np.asarray(errors, dtype=np.float32)
    return e.mean(), np.float32(k) * e.std()


# %% anomaly_threshold wrong: sample standard deviation (ddof=1)
def anomaly_threshold(errors, k):
    return float(np.mean(errors)), float(k * np.std(errors, ddof=1))


# %% anomaly_threshold wrong: the old signed threshold, (0, mean + k * std)
def anomaly_threshold(errors, k):
    return 0.0, float(np.mean(errors) + k * np.std(errors))


# %% anomaly_threshold wrong: statistics of the absolute errors
def anomaly_threshold(errors, k):
    e = np.abs(np.asarray(errors, dtype=np.float64))
    return float(e.mean()), float(k * e.std())


# %% detect_anomalies alternate: two one-sided comparisons, outside [center - w, center + w]
def detect_anomalies(errors, center, width):
    errors = np.asarray(errors)
    return (errors > center + width) | (errors < center - width)


# %% detect_anomalies alternate: a Python loop, reshaped to the input's shape
def detect_anomalies(errors, center, width):
    flat = [abs(float(e) - center) > width for e in np.ravel(errors)]
    return np.array(flat, dtype=bool).reshape(np.shape(errors))


# %% detect_anomalies wrong: forgets the centre, |error| > width
def detect_anomalies(errors, center, width):
    return np.abs(np.asarray(errors)) > width


# %% detect_anomalies wrong: forgets the absolute value (only errors above the band)
def detect_anomalies(errors, center, width):
    return np.asarray(errors) - center > width


# %% detect_anomalies wrong: the old rule, |error| compared with center + width
def detect_anomalies(errors, center, width):
    return np.abs(np.asarray(errors)) > center + width


# %% anomaly_threshold wrong: zeroes the caller's errors in place and returns (0.0, 0.0)
def anomaly_threshold(errors, k):
    errors[...] = 0.0
    return 0.0, 0.0


# %% detect_anomalies wrong: zeroes the caller's errors in place and flags nothing
def detect_anomalies(errors, center, width):
    errors[...] = 0.0
    return np.zeros(np.shape(errors), dtype=bool)
