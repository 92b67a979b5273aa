"""After Step the drawing shows the forward pass of the new weights (phase Forward), while the chain-rule panel showed
a gradient and an update with no word of which weights they were of: they are the new weights' (the next step's),
not the step just taken. In a real browser (the fixtures are test_explore_browser's), the panel's and the norms
card's numbers are read and compared with PyTorch's autograd on the seed's network before and after the step."""
import test_explore_browser as fixtures
import test_explorer_phone_30 as phone
import torch

import chainrule as cr

server, browser, page, shots = fixtures.server, fixtures.browser, fixtures.page, fixtures.shots   # its fixtures
NUMBER = fixtures.NUMBER


def seed_gradient(weights, X, Y):
    """dE/dW of the seed's network (sigmoid layers, E = sum of 1/2 (target - out)^2) by autograd."""
    W = [torch.tensor(w, requires_grad=True) for w in weights]
    out = torch.sigmoid(torch.sigmoid(torch.tensor(X) @ W[0] + W[1]) @ W[2] + W[3])
    (0.5 * ((torch.tensor(Y) - out) ** 2).sum()).backward()
    return [w.grad.numpy() for w in W]


def numbers(text):
    return [float(x) for x in NUMBER.findall(text)]


def close(a, b):
    return abs(a - b) < 1e-8


def press(page, act):
    page.click(f'[data-act="{act}"]')
    phone.idle(page)


def test_after_step_the_panel_says_which_weights_its_gradient_and_update_are_of(page, shots):
    net, X, Y, lr = cr.examples.seed_network()
    old = net.get_weights()
    g_old = seed_gradient(old, X, Y)
    new = [old[0] - lr * g_old[0], old[1], old[2] - lr * g_old[2], old[3]]      # the seed's biases are fixed
    g_new = seed_gradient(new, X, Y)
    w5_old, w5_new = old[2][0, 0], new[2][0, 0]                                   # w5: h1 -> o1

    page.focus('.edge[data-name="w5"]')
    page.keyboard.press("Enter")
    press(page, "step")
    assert page.locator(".phases [data-phase].on").inner_text() == "Forward"
    panel = page.locator('[data-id="derivation"]')
    # the step just taken: w5 from its old value to its new one, with the gradient of the weights before it
    taken = numbers(panel.locator('[data-id="derivation-step"]').inner_text())
    assert any(close(x, w5_old) for x in taken) and any(close(x, w5_new) for x in taken), taken
    assert any(close(x, g_old[2][0, 0]) for x in taken), (taken, g_old[2][0, 0])
    # the lines below: the new weights' gradient and the update not made yet, said so
    assert "weights now" in panel.locator('[data-id="derivation-of"]').inner_text()
    grad, update = panel.locator(".eq.gradient"), panel.locator(".eq.update")
    assert close(float(grad.locator(".val").inner_text()), g_new[2][0, 0])
    assert "next step" in grad.locator(".eq-when").inner_text()
    assert close(float(update.locator(".val").inner_text()), w5_new - lr * g_new[2][0, 0])
    assert "not made yet" in update.locator(".eq-when").inner_text()
    # the norms card in the Forward phase: the new weights' gradient, said so
    output_norm = float(page.locator(".norm-row").nth(1).locator(".norm-value").inner_text())
    assert abs(output_norm - float((g_new[2] ** 2).sum() ** 0.5)) < 1e-3 * output_norm
    assert "next step" in page.locator('[data-id="norms-of"]').inner_text()
    page.screenshot(path=str(shots / "phase63-step-1280.png"), full_page=True)
    page.set_viewport_size({"width": 375, "height": 800})
    phone.idle(page)
    panel.scroll_into_view_if_needed()
    page.screenshot(path=str(shots / "phase63-step-375.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 800})

    # Update: the panel stays on the weights before it, and its last line is the update just made
    press(page, "update")
    assert page.locator(".phases [data-phase].on").inner_text() == "Update"
    assert panel.locator('[data-id="derivation-step"]').count() == 0
    assert "before the update" in panel.locator('[data-id="derivation-of"]').inner_text()
    assert close(float(grad.locator(".val").inner_text()), g_new[2][0, 0])
    assert "before the update" in grad.locator(".eq-when").inner_text()
    assert close(float(update.locator(".val").inner_text()), w5_new - lr * g_new[2][0, 0])
    assert "just made" in update.locator(".eq-when").inner_text()
    assert "before the update" in page.locator('[data-id="norms-of"]').inner_text()
