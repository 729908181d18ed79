"""Short PyTorch-spelled training loops that run on minigrad after one edit, the import,
and must train. Each body is written as PyTorch code is (`torch.`, `nn.`, `F.`, `optim.`);
only the imports below differ from PyTorch's."""
import numpy as np
import pytest

import minigrad as torch                    # import torch
import minigrad.nn as nn                    # import torch.nn as nn
import minigrad.nn.functional as F          # import torch.nn.functional as F
import minigrad.optim as optim              # import torch.optim as optim


@pytest.fixture
def digits():
    X, y = torch.datasets.load_digits()
    X = torch.tensor(X / 16.0, dtype=torch.float32)
    y = torch.tensor(y)
    return X[:1200], y[:1200], X[1200:], y[1200:]


def accuracy(model, X, y):
    with torch.no_grad():
        pred = model(X).argmax(dim=1, keepdim=True)
        return pred.eq(y.view_as(pred)).sum().item() / len(y)


def test_the_tutorial_polynomial_fit_with_a_hand_written_update():
    x = torch.linspace(-3.14159, 3.14159, 2000)
    y = torch.sin(x)
    p = torch.tensor([1, 2, 3])
    xx = x.unsqueeze(-1).pow(p)
    model = nn.Sequential(nn.Linear(3, 1), nn.Flatten(0, 1))
    loss_fn = nn.MSELoss(reduction="sum")
    first = None
    for t in range(2000):
        y_pred = model(xx)
        loss = loss_fn(y_pred, y)
        first = first or loss.item()
        model.zero_grad()
        loss.backward()
        with torch.no_grad():
            for param in model.parameters():
                param -= 1e-6 * param.grad
    assert loss.item() < 0.05 * first
    linear = model[0]
    assert abs(linear.weight[:, 0].item() - 0.84) < 0.05  # sin x ~ 0.84 x - 0.09 x^3 there


def test_an_mnist_style_loop_with_argmax_eq_sum_item(digits):
    X, y, X_test, y_test = digits
    torch.manual_seed(0)

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc1 = nn.Linear(64, 64)
            self.dropout = nn.Dropout(0.1)
            self.fc2 = nn.Linear(64, 10)

        def forward(self, x):
            x = F.relu(self.fc1(x))
            x = self.dropout(x)
            return F.log_softmax(self.fc2(x), dim=1)

    model = Net().to(torch.float32)
    optimizer = optim.Adam(model.parameters(), lr=3e-3)
    loader = torch.data.DataLoader(X, y, batch_size=64, shuffle=True)
    for epoch in range(15):
        model.train()
        for data, target in loader:
            optimizer.zero_grad()
            loss = F.nll_loss(model(data), target)
            loss.backward()
            optimizer.step()
    model.eval()
    assert accuracy(model, X_test, y_test) > 0.9


def test_a_convnet_with_flatten_max_pool_and_batchnorm(digits):
    X, y, X_test, y_test = digits
    torch.manual_seed(1)
    model = nn.Sequential(
        nn.Conv2d(1, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(8 * 4 * 4, 10)).to(torch.float32)
    optimizer = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    images, test_images = X.view(-1, 1, 8, 8), X_test.view(-1, 1, 8, 8)
    for epoch in range(3):
        for i in range(0, len(y), 50):
            optimizer.zero_grad()
            loss = F.cross_entropy(model(images[i:i + 50]), y[i:i + 50])
            loss.backward()
            optimizer.step()
    model.eval()
    assert accuracy(model, test_images, y_test) > 0.85


def test_a_makemore_bigram_counted_then_learned_then_sampled():
    words = ["emma", "olivia", "ava", "isabella", "sophia", "mia", "amelia", "ella", "anna"]
    chars = sorted(set("".join(words)))
    stoi = {s: i + 1 for i, s in enumerate(chars)}
    stoi["."] = 0
    itos = {i: s for s, i in stoi.items()}
    V = len(stoi)
    xs, ys = [], []
    for w in words:
        cs = ["."] + list(w) + ["."]
        for a, b in zip(cs, cs[1:]):
            xs.append(stoi[a])
            ys.append(stoi[b])
    xs, ys = torch.tensor(xs), torch.tensor(ys)
    g = np.random.default_rng(2147483647)
    W = torch.randn((V, V), rng=g, requires_grad=True)
    for k in range(200):
        xenc = F.one_hot(xs, num_classes=V).float()
        logits = xenc @ W
        counts = logits.exp()
        probs = counts / counts.sum(1, keepdims=True)
        loss = -probs[torch.arange(len(ys)), ys].log().mean() + 0.01 * (W ** 2).mean()
        W.grad = None
        loss.backward()
        W.data += -10 * W.grad
    assert loss.item() < 2.0
    out, ix = [], 0
    while True:
        p = (W[ix].exp() / W[ix].exp().sum()).detach()
        ix = torch.multinomial(p, num_samples=1, replacement=True, rng=g).item()
        if ix == 0 or len(out) > 20:
            break
        out.append(itos[ix])
    assert all(c in chars for c in out)


def test_a_makemore_mlp_with_an_embedding_table_and_view():
    g = np.random.default_rng(42)
    X = torch.randint(0, 27, (256, 3), rng=g)
    Y = (X[:, 0] + X[:, 2]) % 27                      # a learnable next "character"
    C = torch.randn((27, 10), rng=g, requires_grad=True)
    W1 = torch.randn((30, 64), rng=g) * (5 / 3) / 30 ** 0.5
    W1.requires_grad_()
    b1 = torch.zeros(64, requires_grad=True)
    W2 = torch.randn((64, 27), rng=g) * 0.01
    W2.requires_grad_()
    b2 = torch.zeros(27, requires_grad=True)
    parameters = [C, W1, b1, W2, b2]
    for i in range(1500):
        ix = torch.randint(0, X.shape[0], (32,), rng=g)
        emb = C[X[ix]]
        h = torch.tanh(emb.view(-1, 30) @ W1 + b1)
        logits = h @ W2 + b2
        loss = F.cross_entropy(logits, Y[ix])
        for p in parameters:
            p.grad = None
        loss.backward()
        lr = 0.1 if i < 1000 else 0.01
        for p in parameters:
            p.data += -lr * p.grad
    full = F.cross_entropy(torch.tanh(C[X].view(-1, 30) @ W1 + b1) @ W2 + b2, Y)
    assert full.item() < 1.0


def test_a_causal_self_attention_head_with_tril_masked_fill_and_transpose():
    torch.manual_seed(3)
    B, T, Cn, head = 4, 8, 16, 16
    x = torch.randn(B, T, Cn)
    target = torch.randn(B, T, head)
    key, query, value = (nn.Linear(Cn, head, bias=False) for _ in range(3))
    tril = torch.tril(torch.ones(T, T))
    params = list(key.parameters()) + list(query.parameters()) + list(value.parameters())
    optimizer = optim.AdamW(params, lr=1e-2)
    first = None
    for step in range(150):
        k, q, v = key(x), query(x), value(x)
        wei = q @ k.transpose(-2, -1) * head ** -0.5
        wei = wei.masked_fill(tril[:T, :T] == 0, float("-inf"))
        wei = F.softmax(wei, dim=-1)
        out = wei @ v
        loss = F.mse_loss(out, target)
        first = first or loss.item()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    assert loss.item() < 0.7 * first
    assert np.allclose(np.triu(wei.data[0], 1), 0)  # no position attends to the future


def test_logistic_regression_with_bce_and_a_float_accuracy():
    g = np.random.default_rng(0)
    X = torch.randn(200, 2, rng=g)
    y = (X[:, 0] + 2 * X[:, 1] > 0).float()
    model = nn.Linear(2, 1)
    loss_fn = nn.BCEWithLogitsLoss()
    optimizer = optim.SGD(model.parameters(), lr=0.5)
    for epoch in range(100):
        optimizer.zero_grad()
        loss = loss_fn(model(X).squeeze(1), y)
        loss.backward()
        optimizer.step()
    acc = ((torch.sigmoid(model(X)).squeeze(1) > 0.5).float() == y).float().mean().item()
    assert acc > 0.97


def test_module_list_dict_init_and_apply():
    class Deep(nn.Module):
        def __init__(self):
            super().__init__()
            self.layers = nn.ModuleList([nn.Linear(4, 4) for _ in range(3)])
            self.heads = nn.ModuleDict({"a": nn.Linear(4, 1), "b": nn.Linear(4, 1)})

        def forward(self, x):
            for layer in self.layers:
                x = torch.tanh(layer(x))
            return self.heads["a"](x) + self.heads["b"](x)

    def init_weights(m):
        if isinstance(m, nn.Linear):
            nn.init.xavier_uniform_(m.weight)
            nn.init.zeros_(m.bias)

    torch.manual_seed(0)
    model = Deep()
    model.apply(init_weights)
    assert [n for n, _ in model.named_parameters()][:2] == ["layers.0.weight", "layers.0.bias"]
    x, y = torch.randn(64, 4), torch.randn(64, 1)
    optimizer = optim.Adam(model.parameters(), lr=1e-2)
    losses = []
    for _ in range(200):
        optimizer.zero_grad()
        loss = F.mse_loss(model(x), y)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    assert losses[-1] < 0.5 * losses[0]


def test_a_step_lr_schedule_with_gradient_clipping():
    torch.manual_seed(4)
    x = torch.randn(128, 8)
    y = torch.tanh(x @ torch.randn(8, 1))
    model = nn.Sequential(nn.Linear(8, 32), nn.Tanh(), nn.Linear(32, 1))
    optimizer = optim.SGD(model.parameters(), lr=0.2, momentum=0.9)
    scheduler = optim.lr_scheduler.StepLR(optimizer, step_size=100, gamma=0.5)
    norms, losses = [], []
    for epoch in range(300):
        optimizer.zero_grad()
        loss = F.mse_loss(model(x), y)
        loss.backward()
        norms.append(float(nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)))
        optimizer.step()
        scheduler.step()
        losses.append(loss.item())
    assert scheduler.get_last_lr() == [0.2 * 0.5 ** 3]
    assert optimizer.param_groups[0]["lr"] == 0.2 * 0.5 ** 3
    after = sum(p.grad.data.ravel() @ p.grad.data.ravel() for p in model.parameters()) ** 0.5
    assert after <= 1.0 + 1e-12 and (norms[-1] <= 1.0 or abs(after - 1.0) < 1e-9)
    assert losses[-1] < 0.1 * losses[0]


def test_cosine_annealing_with_per_group_options_in_rmsprop():
    torch.manual_seed(5)
    x = torch.randn(256, 4)
    y = (x ** 2).sum(1, keepdim=True)
    model = nn.Sequential(nn.Linear(4, 32), nn.ReLU(), nn.Linear(32, 1))
    body, head = model[0], model[2]
    optimizer = optim.RMSprop([
        {"params": body.parameters()},
        {"params": head.parameters(), "lr": 3e-3, "momentum": 0.5},
    ], lr=1e-2, alpha=0.9)
    scheduler = optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=200, eta_min=1e-4)
    first = None
    for step in range(200):
        optimizer.zero_grad()
        loss = F.mse_loss(model(x), y)
        first = first or loss.item()
        loss.backward()
        optimizer.step()
        scheduler.step()
    assert [g["lr"] for g in optimizer.param_groups] == pytest.approx([1e-4, 1e-4])
    assert optimizer.param_groups[1]["momentum"] == 0.5 and optimizer.param_groups[0]["momentum"] == 0
    assert loss.item() < 0.1 * first


def test_a_lambda_lr_warmup_and_exponential_decay_on_one_optimizer():
    torch.manual_seed(6)
    w = torch.zeros(3, requires_grad=True)
    target = torch.tensor([1.0, -2.0, 0.5])
    optimizer = optim.Adam([w], lr=0.1)
    warmup = optim.lr_scheduler.LambdaLR(optimizer, lr_lambda=lambda epoch: min(1.0, (epoch + 1) / 10))
    lrs = []
    for epoch in range(10):
        optimizer.zero_grad()
        loss = ((w - target) ** 2).sum()
        loss.backward()
        optimizer.step()
        lrs.append(optimizer.param_groups[0]["lr"])
        warmup.step()
    decay = optim.lr_scheduler.ExponentialLR(optimizer, gamma=0.99)
    for epoch in range(300):
        optimizer.zero_grad()
        loss = ((w - target) ** 2).sum()
        loss.backward()
        optimizer.step()
        decay.step()
    assert lrs == pytest.approx([0.01 * (k + 1) for k in range(10)])
    assert np.allclose(w.detach().numpy(), target.numpy(), atol=1e-3)


def test_the_micrograd_demo_max_margin_loss_with_l2_and_a_manual_update():
    g = np.random.default_rng(1337)
    angle = g.uniform(0, np.pi, 100)
    upper = np.arange(100) < 50                          # two interleaved half moons
    X = np.where(upper[:, None], np.c_[np.cos(angle), np.sin(angle)],
                 np.c_[1 - np.cos(angle), 0.5 - np.sin(angle)]) + 0.1 * g.standard_normal((100, 2))
    y = np.where(upper, 1.0, -1.0)
    torch.manual_seed(1337)
    model = nn.Sequential(nn.Linear(2, 16), nn.ReLU(), nn.Linear(16, 16), nn.ReLU(), nn.Linear(16, 1))
    inputs, yb = torch.tensor(X), torch.tensor(y)

    def loss_and_accuracy():
        scores = model(inputs).squeeze(1)
        data_loss = F.relu(1 + -yb * scores).mean()
        reg_loss = 1e-4 * sum((p * p).sum() for p in model.parameters())
        accuracy = ((yb > 0) == (scores > 0)).float().mean().item()
        return data_loss + reg_loss, accuracy

    for k in range(100):
        total_loss, acc = loss_and_accuracy()
        model.zero_grad()
        total_loss.backward()
        learning_rate = 1.0 - 0.9 * k / 100
        for p in model.parameters():
            p.data -= learning_rate * p.grad
    assert loss_and_accuracy()[1] >= 0.95


def test_a_bigram_language_model_scored_per_position_with_classes_on_axis_1():
    torch.manual_seed(7)
    vocab, B, T = 11, 8, 12
    data = torch.arange(0, 400) * 3 % vocab                   # next token = token + 3 (mod 11)

    class Bigram(nn.Module):
        def __init__(self):
            super().__init__()
            self.token_embedding_table = nn.Embedding(vocab, vocab)

        def forward(self, idx):
            return self.token_embedding_table(idx)              # (B, T, vocab)

    model = Bigram()
    optimizer = optim.AdamW(model.parameters(), lr=0.1)
    first = None
    for step in range(100):
        ix = torch.randint(0, len(data) - T - 1, (B,))
        xb = torch.stack([data[i:i + T] for i in ix.tolist()])
        yb = torch.stack([data[i + 1:i + T + 1] for i in ix.tolist()])
        logits = model(xb)
        loss = F.cross_entropy(logits.transpose(1, 2), yb)   # (B, C, T) scores, (B, T) targets
        first = first or loss.item()
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
    assert first > 2.0 and loss.item() < 0.1
    per_token = F.cross_entropy(logits.transpose(1, 2), yb, reduction="none")
    assert per_token.shape == (B, T)
    assert (logits.argmax(dim=-1) == yb).float().mean().item() == 1.0


def test_an_lstm_classifier_reads_the_last_time_step():
    torch.manual_seed(0)

    class SequenceClassifier(nn.Module):
        def __init__(self):
            super().__init__()
            self.lstm = nn.LSTM(input_size=1, hidden_size=16, num_layers=1, batch_first=True)
            self.fc = nn.Linear(16, 2)

        def forward(self, x):
            h0 = torch.zeros(1, x.shape[0], 16)
            c0 = torch.zeros(1, x.shape[0], 16)
            out, (hn, cn) = self.lstm(x, (h0, c0))
            return self.fc(out[:, -1, :])

    # is the sequence rising or falling?
    slope = torch.randint(0, 2, (64,))
    t = torch.linspace(0, 1, 10)
    x = ((slope.float() * 2 - 1).view(-1, 1) * t.view(1, -1) + 0.1 * torch.randn(64, 10)).unsqueeze(-1)
    model = SequenceClassifier()
    optimizer = optim.Adam(model.parameters(), lr=0.02)
    criterion = nn.CrossEntropyLoss()
    for epoch in range(40):
        optimizer.zero_grad()
        loss = criterion(model(x), slope)
        loss.backward()
        optimizer.step()
    with torch.no_grad():
        predicted = model(x).argmax(dim=1)
    assert (predicted == slope).float().mean().item() > 0.95
