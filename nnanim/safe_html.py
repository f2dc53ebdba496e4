"""A teacher's own HTML, as a page made to be shared may hold it (nnanim deck build).

Teachers write HTML in Obsidian decks (`<b>`, `<sub>`, `<details>`, a `<video>`, a `<div class=…>`), and
Obsidian shows it through an allow-list; a page shared with a class shows it through this one, applied by
nh3 (the Ammonia sanitiser, an HTML5 parser rather than a pattern) to a slide's whole HTML:

- kept: text formatting, headings, lists, tables, quotes, code, `<details>`, `<figure>`, `<aside>`, `<img>`,
  `<video>` and `<audio>`; `class`, `title`, `lang`, `dir` on any element and a `style` of the
  properties below (none that loads a file or lays an element over the page); nnanim's own `data-callout`;
- links: http, https, mailto and relative, given rel="noopener noreferrer";
- media (`src` of img, video, audio and source, a video's `poster`) only from the deck's own folder:
  `local_media` turns the URL into the page's copy of the file, or refuses it (None: the attribute goes),
  so the page never loads anything from the network;
- gone: script and style elements with their content, every other element (iframe, form, input, button,
  object, embed, svg, math, link, meta, base, template, …) as tags (its text stays), event handlers, `id`,
  and every other attribute, `data-*` included (reveal.js would load `data-src`, its speaker view runs
  `data-notes` as HTML), comments.
"""

import nh3

TAGS = {
    "a", "abbr", "aside", "b", "bdi", "bdo", "blockquote", "br", "caption", "center", "cite", "code", "col",
    "colgroup", "dd", "del", "details", "dfn", "div", "dl", "dt", "em", "figcaption", "figure", "h1", "h2", "h3",
    "h4", "h5", "h6", "hr", "i", "img", "ins", "kbd", "li", "mark", "ol", "p", "pre", "q", "rp", "rt", "ruby",
    "s", "samp", "small", "span", "strong", "sub", "summary", "sup", "table", "tbody", "td", "tfoot", "th",
    "thead", "tr", "u", "ul", "var", "wbr", "video", "audio", "source",
}
REMOVED_WITH_CONTENT = {"script", "style"}
MEDIA_PLAYING = {"controls", "loop", "muted", "autoplay", "preload"}
ATTRIBUTES = {
    "*": {"class", "title", "lang", "dir", "style"},
    "a": {"href", "hreflang"},
    "img": {"src", "alt", "width", "height"},
    "video": {"src", "poster", "width", "height", "playsinline"} | MEDIA_PLAYING,
    "audio": {"src"} | MEDIA_PLAYING,
    "source": {"src", "type"},
    "div": {"data-callout"}, "details": {"open", "data-callout"},
    "ol": {"start"}, "li": {"value"}, "td": {"colspan", "rowspan"}, "th": {"colspan", "rowspan", "scope"},
    "col": {"span"}, "colgroup": {"span"}, "del": {"datetime"}, "ins": {"datetime"},
}
URL_SCHEMES = {"http", "https", "mailto"}
MEDIA_URLS = {("img", "src"), ("video", "src"), ("video", "poster"), ("audio", "src"), ("source", "src")}
STYLE = {
    "color", "background-color", "opacity", "text-align", "vertical-align", "text-decoration", "text-transform",
    "font-weight", "font-style", "font-size", "font-family", "font-variant", "line-height", "letter-spacing",
    "white-space", "width", "height", "min-width", "min-height", "max-width", "max-height", "display", "float",
    "clear", "gap", "column-gap", "row-gap", "flex", "flex-direction", "flex-wrap", "justify-content",
    "align-items", "grid-template-columns", "columns", "column-count", "object-fit", "list-style-type",
    "border-collapse", "border-radius", "border-color", "border-style", "border-width",
    *(f"{box}{side}" for box in ("margin", "padding", "border") for side in ("", "-top", "-right", "-bottom", "-left")),
}


def clean(fragment, local_media=lambda url: None):
    """`fragment` (HTML) with only what the allow-list above keeps; a media URL (http, https or relative)
    is replaced by `local_media(url)`, the page's link to that file, or dropped if that is None. What
    `local_media` raises (a full disk while copying) is raised here, not printed and passed over by nh3."""
    failed = []

    def media(tag, attribute, value):
        if (tag, attribute) not in MEDIA_URLS:
            return value
        try:
            return local_media(value)
        except Exception as e:
            failed.append(e)
            return None

    cleaned = nh3.clean(fragment, tags=TAGS, clean_content_tags=REMOVED_WITH_CONTENT, attributes=ATTRIBUTES,
                        attribute_filter=media, url_schemes=URL_SCHEMES, filter_style_properties=STYLE)
    if failed:
        raise failed[0]
    return cleaned
