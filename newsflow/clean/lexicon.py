"""Word lists and line patterns the cleaner's signals use (data, not logic).

Everything here is language material, not tuning: stop words of the languages
news is commonly written in (their density separates prose from menus), and
patterns of page furniture that recur across sites and languages (share
buttons, sign-up prompts, section headers that start the post-article zone,
captions and credits, bylines, "today" mastheads).
"""

from __future__ import annotations

import re

# -- stop words ---------------------------------------------------------------
# Short lists of the most frequent function words per language. They are used
# as one union set: prose in any of these languages is dense in them, menus and
# headlines are not. A few cross-language collisions do not matter for density.
_STOP = {
    "en": """a about above after again against all also am an and any are as at be because been
        before being below between both but by can could did do does doing down during each
        few for from further had has have having he her here hers herself him himself his how
        i if in into is it its itself just me more most my myself no nor not now of off on
        once only or other our ours out over own said same she should so some such than that
        the their theirs them then there these they this those through to too under until up
        very was we were what when where which while who whom why will with would you your
        yours one two new after who says say told would could may might must shall its""",
    "de": """aber als am an auch auf aus bei bin bis bist da damit dann das dass dein deine dem den
        der des dich die dies diese dieser dieses dir doch dort du durch ein eine einem einen
        einer eines er es etwas euch euer für gegen hat hatte haben ich ihm ihn ihr ihre im in
        ist ja jetzt kann kein keine man mein mich mir mit muss nach nicht nichts noch nun nur
        ob oder ohne sehr sein seine sich sie sind so soll über um und uns unser unter vom von
        vor war waren was weil wenn wer werden wie wieder wir wird wo zu zum zur zwischen
        wurde wurden worden sei seien habe können kann schon mehr""",
    "fr": """à au aux avec ce ces cette dans de des du elle elles en est et été être eu il ils je
        la le les leur leurs lui mais me même mes moi mon ne nos notre nous on ont ou où par
        pas pour qu que qui sa sans se ses si son sont sur ta te tes toi ton tu un une vos
        votre vous y ainsi aussi avait avoir bien comme donc encore entre fait peut plus tout
        très""",
    "es": """a al algo como con contra cual cuando de del desde donde el ella ellas ellos en entre
        era es esa ese eso esta este esto están fue ha había han hasta hay la las le les lo
        los más me mi muy nada ni no nos o os para pero por porque que qué se sea ser si sin
        sobre son su sus también te tiene todo tu un una uno unos y ya según fueron""",
    "it": """a ad al alla alle anche che chi ci come con cui da dal dalla de degli dei del della
        delle di e è gli ha hanno i il in io la le lei li lo loro lui ma mi mio ne negli nei
        nel nella nelle noi non o per più quale quando questa questo se si sia sono su sua
        suo sul sulla tra tu un una uno vi già essere stato stata""",
    "pt": """a ao aos as com como da das de do dos e é ela elas ele eles em entre era essa esse
        esta este eu foi for há isso já la lhe mais mas me mesmo meu minha muito na nas não
        nem no nos nós o os ou para pela pelas pelo pelos por quando que quem se sem ser seu
        sua são também te tem um uma você vocês às está estão foram pode""",
    "nl": """aan al als bij dan dat de der deze die dit door een en er had heb heeft het hij hoe
        hun ik in is je kan maar me meer met mij naar niet nog nu of om onder ons ook op over
        te tot uit van voor was wat we wel werd wij worden zal ze zich zij zijn zo""",
    "sv": """att av de den det du efter ej eller en ett för från har hon han honom hur i inte jag
        kan man med men mot när och om på sig sin som till under upp ut vad var vi vid är""",
    "da_no": """af at av de den der det du efter eller en er et for fra har hun han hvad hvis i
        ikke jeg kan med men når og om på seg sig som til ud ut var vi vil være""",
    "pl": """a aby ale bardzo być by był była było co czy dla do go i ich ja jak jako jest jego
        jej jest już ma na nie nim o od oraz po pod przez przy się sobie są ta tak tej to tu
        tylko w we z za że także został""",
    "id": """ada adalah agar akan atau bagi bahwa bisa dalam dan dari dengan di ia ini itu jika
        juga kami kamu karena ke kepada lebih mereka oleh pada para saat sebagai secara
        sedang sehingga sudah telah tersebut tidak untuk yang""",
    "tr": """ama ve bir bu da de daha diye gibi için ile ise kadar ki mi mu ne o olan olarak
        sonra şu ya çok en her""",
    "ru": """а без бы был была были было в вам вас во вот все всё вы где да для до его ее её если
        есть еще ещё же за и из или им их к как ко когда который которые ли мне мы на над
        не нет но о об однако он она они оно от по под при с со так также то только тот у
        уже что чтобы это этот я""",
}
STOPWORDS: frozenset[str] = frozenset(w for words in _STOP.values() for w in words.split())

#: Function characters of Chinese and Japanese: their density plays the part of
#: stop words in scripts written without spaces.
CJK_FUNCTION_CHARS = frozenset("的了是在和有也就不都而及与着之这那中为以于の、にはをがでとたしてもなかる。")

#: Characters of scripts written without spaces between words.
CJK_RE = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")

# -- line patterns ------------------------------------------------------------
_I = re.IGNORECASE

#: End of a prose sentence: the last character of a body paragraph.
TERMINAL = frozenset(".!?…\"”’'»):;。！？」』】）")

#: Whole short lines that are page furniture in any article's page: buttons,
#: labels, interstitials. Matched against the lower-cased line.
FURNITURE_LINE = re.compile(
    r"""^(?:
      advertisement|advertisements|advertising|ad|ads|sponsored|sponsored\ content|anzeige|werbung
      |publicidad|publicidade|publicité|pubblicità|реклама|promoted|paid\ content|partner\ content
      |advertisement\W+(?:scroll|story\ continues)\b.*|story\ continues\ below.*|article\ continues\ below.*
      |continue\ reading.*|read\ (?:more|full\ (?:article|story)|the\ full\ (?:article|story))\W*
      |show\ more|load\ more|see\ more|view\ more|more|less|expand|collapse|close|open|menu|search.*
      |share|shares|share\ (?:this|on|via|the\ article|article|story|post|page)\b.*|tweet|pin|whatsapp|email|e-mail|print|copy\ link|link\ copied.*
      |facebook|twitter|linkedin|reddit|instagram|youtube|pinterest|telegram|flipboard|tiktok|rss|rss\ feed
      |follow|follow\ us.*|like\ us.*|subscribe.*|sign\ (?:in|up|out)\b.*|log\ ?(?:in|out)\b.*|register.*|create\ (?:an\ )?account.*
      |my\ account|account|profile|settings|notifications?|bookmark|save|saved|save\ article|gift\ (?:this\ )?article.*
      |skip\ to\ .*|jump\ to\ .*|back\ to\ top|top|home|homepage|go\ to\ .*|next|previous|prev|next\ article.*|previous\ article.*
      |comments?|\d+\s+comments?|no\ comments|show\ comments.*|view\ comments.*|comment\ on\ this.*|leave\ a\ (?:comment|reply).*
      |reply|report|like|likes|upvote|vote|loading.*|please\ wait.*|play|pause|mute|listen.*|watch.*|play\ (?:video|article|audio)
      |photo|photos|image|images|video|videos|gallery|slideshow|infographic|graphic|audio|podcast|podcasts
      |enlarge\ (?:this\ )?image|view\ (?:gallery|slideshow|image|photo).*|click\ to\ .*|tap\ to\ .*|open\ in\ app
      |cookie\ (?:settings|policy|preferences)|privacy(?:\ policy)?|terms.*|contact(?:\ us)?|about(?:\ us)?|imprint|impressum|datenschutz.*
      |all\ rights\ reserved.*|copyright.*|©.*|\(c\)\ .*
      |short\ url|permalink|url\ copied.*|copied!?|accessibility.*|font\ size.*|text\ size.*|a\+?|a-|aa
      |min\ read|\d+\s*min(?:ute)?s?\ read|reading\ time.*|\d+\s*min(?:ute)?s?|lesezeit.*|tiempo\ de\ lectura.*
      |mehr|teilen|drucken|kommentare?|weiterlesen|zurück|anmelden|abonnieren|partager|imprimer|commentaires?|lire\ la\ suite
      |compartir|comentarios?|leer\ más|compartilhe|compartilhar|comentários?|leia\ mais|condividi|commenti|leggi\ (?:anche|tutto)
      |поделиться|комментарии|читать\ далее
    )\W*$""",
    _I | re.VERBOSE,
)

#: Phrases that mark a line of any length as furniture: sign-up and
#: subscription promos, cookie notices, legal lines, app prompts, comment
#: forms. Keyed by a word the phrase must contain (a cheap pre-check: a
#: pattern is only tried on lines holding its key word).
_PHRASES = {
    "sign": r"\bsign up (?:for|to)\b|\bsign\b.*\bnewsletters?\b",
    "subscribe": r"\bsubscribe (?:to|now|today|for)\b|\bsubscribe\b.*\bnewsletters?\b",
    "newsletter": r"\bnewsletter\b.*\b(?:inbox|sign|subscribe|email|free)\b|\b(?:inbox|email)\b.*\bnewsletter\b|\bnewsletter abonnieren\b|\bassine\b.*\bnewsletter\b",
    "newsletters": r"\bnewsletters\b.*\b(?:inbox|sign|subscribe|email|free)\b|\b(?:inbox|email)\b.*\bnewsletters\b",
    "inbox": r"\b(?:delivered (?:directly )?|straight )to your inbox\b",
    "free": r"\bfree (?:daily|weekly) (?:email|newsletter)\b|\bfree trial\b",
    "daily": r"\bdaily email\b",
    "email": r"\bemail address\b|\byour email (?:address )?will not be published\b|\bwe (?:will )?send (?:you )?an? email\b",
    "mail": r"\bwe (?:will )?send (?:you )?an? e-mail\b|\be-?mail (?:não será publicado|no será publicado|ne sera pas publiée|wird nicht veröffentlicht)|\byour e-mail (?:address )?will not be published\b",
    "unsubscribe": r"\bunsubscribe\b",
    "cookies": r"\b(?:we use|uses|accept(?: all)?) cookies\b",
    "cookie": r"\bcookie (?:policy|settings|preferences|consent)\b",
    "rights": r"\ball rights reserved\b",
    "privacy": r"\bprivacy policy\b",
    "terms": r"\bterms (?:of|and) (?:use|service|conditions)\b|\bterms & conditions\b",
    "javascript": r"\benable javascript\b|\bjavascript (?:is )?(?:disabled|required)\b",
    "browser": r"\byour browser\b.*\b(?:support|update|disabled)\b",
    "app": r"\bdownload (?:our|the) (?:free )?app\b|\bget (?:our|the) app\b|\bavailable on the app store\b",
    "click": r"\bclick here\b",
    "listen": r"\bsubscribers? can listen\b|\blisten to this article\b",
    "play": r"\bplay article\b",
    "follow": r"\bfollow (?:us|the [\w ]{1,30} section) on\b",
    "facebook": r"\blike us on facebook\b",
    "originally": r"\bthis (?:article|story) (?:was )?originally (?:published|appeared)\b",
    "appeared": r"\bthis (?:article|story) (?:was )?(?:originally )?appeared\b",
    "created": r"\bcontent is created by\b",
    "commission": r"\bwe (?:may )?(?:earn|receive) (?:a )?commission\b",
    "compensation": r"\bwe (?:may )?(?:earn|receive) compensation\b",
    "affiliate": r"\baffiliate links?\b",
    "journalism": r"\bsupport (?:our|independent) journalism\b|\bjournalism you can trust\b",
    "become": r"\bbecome a (?:member|subscriber|patron)\b",
    "unlimited": r"\bunlimited (?:digital )?access\b",
    "subscriber": r"\balready a subscriber\b|\bsubscriber[- ]only\b",
    "votes": r"\(\d+(?:[.,]\d+)?\s*%,?\s*[\d,.]+\s+votes\)",  # a poll's option: "Yes (41%, 1,680 Votes)"
    "threads": r"\bcomment threads (?:are|is)\b",
    "thread": r"\bcomment thread (?:are|is)\b",
    "comments": r"\bcomments (?:are|have been) (?:closed|moderated)\b",
    "guidelines": r"\bcommunity guidelines\b",
    "required": r"\brequired fields are marked\b",
    "subscribed": r"\bsuccess?fully subscribed\b",
    "service": r"\bnews service that\b",
    "stay": r"\bstay up to date with\b",
    "fingertips": r"\bat your fingertips\b",
    "abonnieren": r"\bjetzt abonnieren\b|\bnewsletter abonnieren\b",
    "melden": r"\bmelden sie sich an\b",
    "abonner": r"\bs'abonner\b",
    "inscrivez": r"\binscrivez-vous\b",
    "suscríbete": r"\bsuscríbete\b",
    "suscribete": r"\bsuscribete\b",
    "datenschutzerklärung": r"\bdatenschutzerklärung\b",
    "nutzungsbedingungen": r"\bnutzungsbedingungen\b",
    "vorbehalten": r"\balle rechte vorbehalten\b",
    "droits": r"\btous droits r[ée]serv[ée]s\b",
    "derechos": r"\btodos los derechos\b",
}
FURNITURE_PHRASES: dict[str, re.Pattern] = {k: re.compile(v, _I) for k, v in _PHRASES.items()}
PHRASE_TRIGGERS = frozenset(FURNITURE_PHRASES)
#: A copyright notice. An HTML extractor keeps one only inside the article's container (a wire
#: story's notice under its last paragraph), where benchmark golds count it as the article's:
#: in extracted paragraphs it stays (dev HTML: removing it took 18 body shingles, 3 furniture).
COPYRIGHT = re.compile(r"^\W*(?:©|\(c\)|copyright\b)|\ball rights reserved\b", re.I)
#: A line that is only an e-mail address.
EMAIL_LINE = re.compile(r"^\S*[\w.+-]+@[\w-]+\.[\w.]+\S*$")


def furniture_phrase(low: str, vocab: frozenset) -> bool:
    """Does the lower-cased line (with word set `vocab`) hold a furniture phrase?"""
    for word in vocab & PHRASE_TRIGGERS:
        if FURNITURE_PHRASES[word].search(low):
            return True
    return "@" in low and EMAIL_LINE.match(low) is not None


#: Short lines that open the zone after an article: related links, more
#: stories, comments, tags, author box. Matched on the lower-cased line.
END_MARKER = re.compile(
    r"""^(?:
      related(?:\ (?:articles?|stories|posts?|content|news|coverage|reading|topics|links|videos?|items?))?
      |more\ (?:from|on|about|in|stories|news|articles|coverage|to\ (?:read|explore)|like\ this)\b.{0,40}
      |read\ (?:next|also|more\ (?:about|on|from|stories|news))\b.{0,40}|what\ to\ read\ next|up\ next|next\ up
      |you\ (?:may|might|will|could)\ (?:also\ )?(?:like|enjoy|love|be\ interested\ in)\b.{0,20}|also\ (?:read|see|on)\b.{0,30}
      |recommended(?:\ (?:for\ you|stories|articles|reading|videos?))?|editor'?s?\ picks?|top\ stories|latest(?:\ (?:news|stories|articles|posts))?
      |most\ (?:popular|read|viewed|shared|commented|emailed)\b.{0,20}|trending(?:\ (?:now|stories|news))?|popular(?:\ (?:now|posts|stories|articles))?
      |(?:\d+\ )?comments?(?:\ \(\d*\))?|leave\ a\ (?:comment|reply)|post\ a\ comment|add\ a\ comment|join\ the\ (?:conversation|discussion)
      |(?:top|best|most|highest)[-\ ]rated\ comments|(?:view|show|read|see)\ all\ (?:\d+\ )?comments|(?:reader|user|latest|newest|oldest)\ comments
      |(?:what\ )?(?:do\ )?you\ think\W*|have\ your\ say|discussion
      |about\ the\ authors?|about\ [a-z]+(?:\ [a-z]+)?|author\ bio|biography\b.{0,40}|(?:sobre|über|à\ propos\ de|acerca\ de|chi\ è)\ [\w\ ]{2,30}
      |want\ more\ stories\ like\ this|stay\ up\ to\ date\b.{0,40}|a\ word\ to\ our\ [\w\ ]{0,20}readers
      |deixe\ (?:uma\ resposta|um\ comentário).*|lascia\ un\ commento|deja\ (?:un\ comentario|una\ respuesta)|laisser\ un\ commentaire|schreibe\ einen\ kommentar|kommentar\ schreiben|оставить\ комментарий|
more\ by\ .{1,40}|(?:other\ )?(?:articles|posts|stories)\ by\ .{1,40}
      |tags?|topics?|filed\ under|categories|category|keywords|see\ also|further\ reading|sources?|references
      |share\ this(?:\ (?:article|story|post|page))?|share\ your\ thoughts|sponsored\ (?:content|stories|links)|promoted\ stories|from\ the\ web|around\ the\ web
      |(?:das\ )?könnte\ (?:sie|dich)\ (?:auch\ )?interessieren|mehr\ zum\ thema|weitere\ (?:artikel|beiträge|nachrichten|themen)|ähnliche\ (?:artikel|beiträge)|verwandte\ (?:artikel|themen)|lesen\ sie\ auch|auch\ interessant|schlagwörter|themen
      |à\ lire\ (?:aussi|également)|lire\ aussi|sur\ le\ même\ sujet|articles?\ similaires|dans\ la\ même\ rubrique|voir\ aussi
      |noticias\ relacionadas|art[íi]culos\ relacionados|te\ puede\ interesar|lee\ también|m[áa]s\ noticias|etiquetas
      |leia\ (?:também|mais)|notícias\ relacionadas|veja\ também|mat[ée]rias\ relacionadas|posts?\ relacionados
      |leggi\ anche|articoli\ correlati|potrebbe\ interessarti|ti\ potrebbe\ interessare|(?:você|voce)\ (?:também\ )?pode\ gostar
      |читайте\ также|похожие\ (?:статьи|новости|записи)|по\ теме|другие\ новости
      |関連記事|おすすめ記事|人気記事|相关文章|相关阅读|推荐阅读
    )\W*$""",
    _I | re.VERBOSE,
)

#: The header of a reader's comment, as blog software writes it: "Maria on March 4, 2023 at
#: 9:15 pm said:". Its date is the comment's, and it opens the comments (a strong end); it
#: ends with "said:"/"says:", which a byline or dateline never does.
_MONTH_DATE = r"[^\W\d_]{3,}\.?\s+\d{1,2}(?:st|nd|rd|th)?,?\s+\d{4}|\d{1,2}\.?\s+[^\W\d_]{3,}\.?\s+\d{4}"
COMMENT_HEADER = re.compile(
    rf"""^.{{1,80}}?\s(?:on\s+)?(?:{_MONTH_DATE}|\d{{1,4}}[./-]\d{{1,2}}[./-]\d{{1,4}})
        (?:\s*(?:at|,)?\s*\d{{1,2}}[:.]\d{{2}}\s*(?:[ap]\.?m\.?)?)?\s+(?:said|says|wrote|commented|replied):?\s*$""",
    _I | re.VERBOSE,
)

#: The strongest of those: after a body, nothing that follows them is the article.
STRONG_END = re.compile(
    r"""^(?:
      related\ (?:articles|stories|posts|content|news|coverage|videos)|more\ (?:from|stories|news|articles|like\ this)\b.{0,40}
      |read\ next|what\ to\ read\ next|up\ next|next\ up
      |you\ (?:may|might|will|could)\ (?:also\ )?(?:like|enjoy|love|be\ interested\ in)\b.{0,20}
      |recommended(?:\ (?:for\ you|stories|articles|reading|videos?))?|editor'?s?\ picks?|top\ stories
      |most\ (?:popular|read|viewed|shared|commented|emailed)\b.{0,20}|trending(?:\ (?:now|stories|news))?
      |(?:\d+\ )?comments?(?:\ \(\d*\))?|leave\ a\ (?:comment|reply)|post\ a\ comment|add\ a\ comment|join\ the\ (?:conversation|discussion)
      |(?:top|best|most|highest)[-\ ]rated\ comments|(?:view|show|read|see)\ all\ (?:\d+\ )?comments|(?:reader|user|latest|newest|oldest)\ comments
      |about\ the\ authors?|author\ bio|want\ more\ stories\ like\ this|deixe\ (?:uma\ resposta|um\ comentário).*|lascia\ un\ commento
      |deja\ (?:un\ comentario|una\ respuesta)|laisser\ un\ commentaire|schreibe\ einen\ kommentar|оставить\ комментарий|sponsored\ (?:content|stories|links)|promoted\ stories|from\ the\ web|around\ the\ web
      |(?:das\ )?könnte\ (?:sie|dich)\ (?:auch\ )?interessieren|weitere\ (?:artikel|beiträge|nachrichten)|ähnliche\ (?:artikel|beiträge)
      |articles?\ similaires|dans\ la\ même\ rubrique|noticias\ relacionadas|art[íi]culos\ relacionados|te\ puede\ interesar
      |notícias\ relacionadas|mat[ée]rias\ relacionadas|posts?\ relacionados|(?:você|voce)\ (?:também\ )?pode\ gostar
      |articoli\ correlati|potrebbe\ interessarti|ti\ potrebbe\ interessare|похожие\ (?:статьи|новости|записи)|другие\ новости
      |関連記事|おすすめ記事|人気記事|相关文章|相关阅读|推荐阅读
    )\W*$""",
    _I | re.VERBOSE,
)

#: Photo captions and credits: a line carrying these is not body prose. An agency as a
#: credit is written in capitals and ends the line ("... (AP Photo/Jane Doe)", "... EPA/JOHN
#: DOE"): "the EPA/Army Corps rule was struck down." is prose.
CAPTION = re.compile(
    r"""(?:
      \((?:(?-i:AP|AFP|EPA|DPA)|reuters|getty|file|photo|picture|pic|image|illustration)\b[^)]{0,80}\)\s*$
      |\b(?:photo|image|picture|pic|foto|bild|illustration|graphic|video)\s*(?:credit)?\s*(?::|/|by\b|courtesy)
      |\bcredit(?:s)?\s*(?::|\.\.\.|…)|\((?:photo\ |image\ )?courtesy\ of\b|\bgetty\ images\b|\bshutterstock\b|\bistock(?:photo)?\b|\bimago\b|\bpicture[- ]alliance\b
      |\bcopyright\s+(?:(?-i:AP|AFP|EPA|DPA)|reuters|getty)\b|\b(?-i:AP|AFP|EPA|DPA|REUTERS|Reuters)\s*(?:photo\b|/)[^.!?]{0,40}$|^\s*file\s*(?:-|:|photo)
      |\bseen\ (?:here\ )?in\ (?:a|an|this)\ (?:photo|file|picture|image)\b
      |^\s*in\ this\ (?:[\w.,'’\ -]{0,40}\ )?(?:photo|image|picture|screenshot|video\ grab)(?![\w-])
    )""",
    _I | re.VERBOSE,
)
#: ... and, in a short line only (a caption, not a paragraph that mentions a picture):
#: "pictured", a position in brackets ("(left)", "(above)").
CAPTION_SHORT = re.compile(r"\bpictured\b|\((?:left|right|center|centre|above|below|top|bottom)\)", _I)
#: The longest line CAPTION_SHORT marks as a caption.
CAPTION_SHORT_MAX_WORDS = 30

#: A byline: "By Jane Doe", "Von Max Mustermann", "Por ...", "Par ...".
BYLINE = re.compile(
    r"^(?:by|von|par|por|di|door|av|af|от|written\ by|words\ by|story\ by|reporting\ by|posted\ by|autor(?:in)?:?|author:?)\s+(?P<names>[^\d].{1,120})$",
    _I | re.VERBOSE,
)

#: Author bio sentences at the end of an article: "Jane Doe is a reporter for ...", "She
#: was a staff writer at ...". The person opens the line, a name (capitalised words) or a
#: pronoun, maybe with a handle ("Jane Doe (@jdoe) is ..."): "her father was a producer"
#: inside a paragraph is the article's own prose.
BIO = re.compile(
    r"""^(?:(?:[A-ZÀ-ÖØ-Þ][\w.'’-]*\ ){1,4}(?:\([^)]{1,40}\)\ )?|(?i:he|she|they)\ )
        (?i:(?:is|was|has\ been|has\ worked\ as|works\ as|joined\ [\w\ ]{1,40}\ as)\ (?:an?\ |the\ )?(?:[\w-]+\ ){0,4}
        (?:writer|reporter|editor|journalist|correspondent|columnist|contributor|author|freelancer|blogger|producer|critic)\b)""",
    re.VERBOSE,
)

#: Teaser cards of link lists glue a headline to its label or standfirst with
#: no space ("...for October 25Cartoons Saturday's", "...recipeThe Week").
#: Brand names ("PlayStation", "McDowell", "iPhone") do not match: the glue
#: follows a lower-case word of two letters or more, or a number.
GLUED = re.compile(r"(?:(?<![\w])[a-z\u00e0-\u00ff]{2,}|(?<![\w.,])\d{1,4})[A-Z\u00c0-\u00de][a-z\u00e0-\u00ff]")

#: A dateline in the middle of a line: a teaser card glues a headline to its
#: lede ("... deemed stateless WASHINGTON: The US ...").
INLINE_DATELINE = re.compile(r"[a-z\u00e0-\u00ff0-9,'’\")]\s+[A-Z]{3,}(?:[ -][A-Z]{2,}){0,2}(?:,\s+[A-Z][\w.]+)?:\s+\S")

#: Function words that headline case capitalises ("Police Say Man In Custody After Crash").
HEADLINE_CASE_WORDS = frozenset(
    "a an the of in on at to for from by with and or but as after over into about is are was be after "
    "before up out off than vs".split()
)

#: Lines of market tickers, scores and counters: mostly digits and signs.
NUMERIC = re.compile(r"^[\d\s.,:;%+\-–—/()$€£¥|#*]+$")

#: Leading list bullets and markdown markers removed from a paragraph's start.
BULLET = re.compile(r"^(?:(?:[•·▪▫◦‣●■□►▶➤→*+>]|-(?=\s)|#{1,6}(?=\s))\s*)+")

#: A "read also" link line inside the body: "READ | Headline", "Read more: Headline".
INLINE_LINK = re.compile(
    r"^(?:read|read\ more|read\ also|also\ read|see\ also|related|more|watch|listen|video|photos?|gallery|lesen\ sie\ (?:auch|mehr)|mehr\ dazu|lire\ aussi|à\ lire|leia\ (?:também|mais)|leggi\ anche|lee\ también|читайте\ также)\s*(?:\||:|-|–|—|»|>)\s*\S",
    _I | re.VERBOSE,
)

# -- cheap pre-checks: a pattern above is only tried on lines holding one of these words --
CAPTION_TRIGGERS = frozenset(
    """ap afp reuters getty epa dpa file photo picture pic image illustration foto bild graphic video credit credits
    courtesy shutterstock istock istockphoto imago alliance copyright pictured left right center centre above below
    top bottom seen""".split()
)
LINK_TRIGGERS = frozenset(
    """read also see related more watch listen video photo photos gallery lesen mehr lire à leia leggi lee читайте""".split()
)
BIO_TRIGGERS = frozenset(
    """writer reporter editor journalist correspondent columnist contributor author freelancer blogger producer critic""".split()
)

# -- hard-wrapped text ----------------------------------------------------------
#: Words a sentence or a heading does not end on (articles, prepositions,
#: conjunctions, possessives): a line ending on one continues on the next line
#: (hard-wrapped prose: e-mail, wire copy, plain-text dumps).
DANGLING_WORDS = frozenset(
    """a an the and or nor but of to in on at by for from with into onto upon about against between among
    through during without within under over after before than that which who whose whom as if because while
    although though whether its their his her our your my these those is are was were be been has have had
    will would can could should shall must not very such both either neither each every some any no
    der die das dem den des ein eine einer einem einen und oder aber von zu zur zum mit für auf im bei nach
    aus über unter vor durch dass weil wenn als wie sich sein seine ist sind wurde hat haben
    le la les un une des du de et ou mais à au aux dans par pour sur avec sans que qui dont est sont
    el los las una y o pero del al en con por para sobre según entre es son fue
    il lo gli della delle dei degli di da nel nella con per che è
    os as um uma do da dos das em no na nos nas pelo pela ao""".split()
)

#: Closing marks stripped before asking whether a line ends a sentence.
CLOSERS = "\"'”’»)]*"
#: A line ending in one of these (after closers) ends a sentence or introduces what follows.
SENTENCE_END = frozenset(".!?…:;。！？")
#: Opening marks skipped before asking whether a line starts in lower case.
OPENERS = "\"'“‘«(["

#: Lines of a comment thread's furniture: when a comment was posted, its rating, its
#: buttons. Several close together after the article mark where reader comments begin.
COMMENT_META = re.compile(
    r"""^(?:
      (?:posted\ |edited\ )?(?:\d+|an?|one)\s*(?:seconds?|s|minutes?|mins?|m|hours?|hrs?|h|days?|d|weeks?|w|months?|years?|y)\ ago\b.{0,30}
      |(?:vor|il\ y\ a|hace|há)\ \d+\ \w+.{0,20}
      |rating:?\ [-+]?\d+\ votes?|[-+]?\d+\ votes?|\d+\ points?|score:?\ [-+]?\d+
      |[\w.\ -]{1,40}\ (?:says|said|wrote|commented)(?:\ on\b.{0,40})?:?
    )\W*$""",
    _I | re.VERBOSE,
)
#: Buttons of a comment (or of an embedded post): they count towards a comment thread only
#: beside the lines above.
COMMENT_BUTTON = re.compile(
    r"""^(?:reply|replies|\d+\ repl(?:y|ies)|report|report\ (?:comment|abuse)|flag|permalink|upvote|downvote
      |like|\d+\ likes?|likes?:?\ \d+|antworten|répondre|responder|rispondi|ответить)\W*$""",
    _I | re.VERBOSE,
)
