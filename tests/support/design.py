"""What the browser tests check of every page the device serves, whoever serves it (the boot
package's portal or the app): one design (frozen/device/style.css, which app/static/app.css
imports), usable at the page sizes of support.browser.SIZES, and no emoji."""
import re

# The computed style of what every page has: the page, its header bar and title, a card, the
# main button, a text field and its label. A page that has no such element gives None there.
LOOK = """() => {
  const s = (sel, props) => {
    const e = document.querySelector(sel);
    if (!e) return null;
    const c = getComputedStyle(e);
    return props.map((p) => c.getPropertyValue(p));
  };
  return {
    body: s('body', ['font-family', 'font-size', 'color', 'background-color', 'margin-top']),
    header: s('header', ['background-color', 'color', 'display', 'padding-left']),
    title: s('header h1', ['font-size', 'font-weight', 'color', 'margin-top']),
    card: s('main section', ['background-color', 'border-top-color', 'border-top-width',
                             'border-top-left-radius', 'padding-top']),
    button: s('main button:not(.quiet):not(.danger):not(.icon):not(.toggle)',
              ['background-color', 'color', 'border-top-left-radius', 'min-height',
               'font-family', 'font-size']),
    field: s('main input[type=password], main input[type=text], main input:not([type])',
             ['background-color', 'color', 'border-top-color', 'border-top-left-radius',
              'min-height', 'font-size']),
    label: s('main label:not(.net):not(.check)', ['color', 'font-size', 'display']),
  };
}"""

# What the page shows as text, the content of every ::before and ::after included.
TEXT = """() => {
  const parts = [document.body.innerText];
  for (const e of document.querySelectorAll('*'))
    for (const p of ['::before', '::after'])
      parts.push(getComputedStyle(e, p).content);
  return parts.join('\\n');
}"""

# The controls a person uses (visible ones in the page's main part): their boxes.
CONTROLS = """() => [...document.querySelectorAll(
    'main button, main input:not([type=hidden]), main select, main a.button')]
  .filter((e) => e.getClientRects().length && getComputedStyle(e).visibility !== 'hidden')
  .map((e) => { const r = e.getBoundingClientRect();
                return {what: e.outerHTML.slice(0, 80), kind: e.type || e.tagName,
                        left: r.left, right: r.right, height: r.height}; })"""

# Emoji and the symbol blocks a board's font is likely to lack (a missing-glyph box).
EMOJI = re.compile('[\U0001F000-\U0001FAFF\u2600-\u27BF\u2B00-\u2BFF\uFE0F\u200D]')


def look(page):
    """The computed style of the parts every page has (`LOOK`)."""
    return page.evaluate(LOOK)


def check_usable(page):
    """Assert that `page` fits its width (nothing sideways), that every control in it is
    within the page and large enough for a finger, and that it shows no emoji. Returns the
    number of controls checked."""
    width = page.evaluate('window.innerWidth')
    assert page.evaluate('document.documentElement.scrollWidth') <= width, 'wider than the page'
    controls = page.evaluate(CONTROLS)
    for c in controls:
        assert c['left'] >= 0 and c['right'] <= width, c
        if c['kind'] in ('checkbox', 'radio'):
            assert c['height'] >= 20, c
        elif c['kind'] not in ('range', 'file'):
            assert c['height'] >= 35, c  # 2.2rem and up
        if c['kind'] in ('text', 'password', 'number', 'select-one'):
            assert c['right'] - c['left'] >= 120, c  # room to see what is typed
    text = page.evaluate(TEXT)
    assert not EMOJI.findall(text), EMOJI.findall(text)
    return len(controls)
