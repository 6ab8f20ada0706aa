"""The NGO's first project, as published in French, with its English translation.

``load_demo`` writes this into the database; nothing here is read at request time.
"""

from django.dispatch import Signal

# Sent by ``load_demo`` once the demo project is saved, with ``project`` and ``regions``
# (``{key: Region}``): apps built on the portfolio add their own demo rows to it.
demo_loaded = Signal()

SECTOR = {
    "key": "projets-speciaux",
    "name_fr": "Projets spéciaux",
    "name_en": "Special projects",
    "slug_fr": "projets-speciaux",
    "slug_en": "special-projects",
}

REGIONS = [
    {
        "key": "inde",
        "name_fr": "Inde",
        "name_en": "India",
        "slug_fr": "inde",
        "slug_en": "india",
        "country": "IN",
        "parent": None,
    },
    {
        "key": "bengale-occidental",
        "name_fr": "Bengale occidental",
        "name_en": "West Bengal",
        "slug_fr": "bengale-occidental",
        "slug_en": "west-bengal",
        "country": "IN",
        "parent": "inde",
    },
    {
        "key": "nepal",
        "name_fr": "Népal",
        "name_en": "Nepal",
        "slug_fr": "nepal",
        "slug_en": "nepal",
        "country": "NP",
        "parent": None,
    },
    {
        "key": "bangladesh",
        "name_fr": "Bangladesh",
        "name_en": "Bangladesh",
        "slug_fr": "bangladesh",
        "slug_en": "bangladesh",
        "country": "BD",
        "parent": None,
    },
]

MUMBAI_SMILES_STORY_FR = (
    "<p>Mumbai Smiles est né de la passion et de l’amour de Jaume Sanllorente, journaliste "
    "espagnol, pour les communautés les plus pauvres de Mumbai en Inde. Offrir un soutien "
    "psychologique, une thérapie par l’art et la musique, ou des activités génératrices de "
    "revenus permet aux filles et aux femmes qui sont trop souvent la cible de la traite "
    "d’humains et de l’exploitation sexuelle en Inde, d’être accompagnées, soutenues et "
    "réhabilitées à travers le travail de l’organisme.</p>"
)
MUMBAI_SMILES_STORY_EN = (
    "<p>Mumbai Smiles was born of the passion and love of Jaume Sanllorente, a Spanish "
    "journalist, for the poorest communities of Mumbai, India. By offering psychological "
    "support, art and music therapy, and income-generating activities, the organisation "
    "helps girls and women, who are all too often the target of human trafficking and "
    "sexual exploitation in India, to be accompanied, supported and rehabilitated.</p>"
)

PARTNERS = [
    {
        "key": "mumbai-smiles",
        "name_fr": "Mumbai Smiles",
        "name_en": "Mumbai Smiles",
        "slug_fr": "mumbai-smiles",
        "slug_en": "mumbai-smiles",
        "kind": "lead",
        "country": "IN",
        "city": "Mumbai",
        "partner_since": 2013,
        "summary_fr": (
            "Fondation née à Mumbai qui accompagne les victimes de la traite humaine et les "
            "communautés les plus vulnérables de la mégapole."
        ),
        "summary_en": (
            "A foundation born in Mumbai that supports victims of human trafficking and the "
            "most vulnerable communities of the megacity."
        ),
        "description_fr": MUMBAI_SMILES_STORY_FR,
        "description_en": MUMBAI_SMILES_STORY_EN,
        "quote_fr": (
            "La traite des êtres humains est une forme inacceptable d'esclavage. Rien qu'à "
            "Mumbai, 400 000 femmes souffrent de la traite et de l'exploitation sexuelle. "
            "Nous disons stop à la violation des droits humains."
        ),
        "quote_en": (
            "Human trafficking is an unacceptable form of slavery. In Mumbai alone, 400,000 "
            "women suffer from trafficking and sexual exploitation. We say stop to the "
            "violation of human rights."
        ),
        "quote_author": "Jaume Sanllorente",
        "logo_alt_fr": "Logo provisoire de Mumbai Smiles : ses initiales sur fond orangé",
        "logo_alt_en": "Placeholder logo for Mumbai Smiles: its initials on an orange background",
        "logo_colour": (214, 110, 36),
        "logo_text": "MS",
    },
    {
        "key": "goran-bose-gram-bikash-kendra",
        "name_fr": "Goran Bose Gram Bikash Kendra",
        "name_en": "Goran Bose Gram Bikash Kendra",
        "slug_fr": "goran-bose-gram-bikash-kendra",
        "slug_en": "goran-bose-gram-bikash-kendra",
        "kind": "local",
        "country": "IN",
        "city": "",
        "summary_fr": (
            "Partenaire local au Bengale occidental (Inde), avec une longue expérience des "
            "programmes pour mettre fin à la traite d’humains."
        ),
        "summary_en": (
            "Local partner in West Bengal (India), with long experience of programmes to end "
            "human trafficking."
        ),
    },
    {
        "key": "chhori",
        "name_fr": "CHHORI",
        "name_en": "CHHORI",
        "slug_fr": "chhori",
        "slug_en": "chhori",
        "kind": "local",
        "country": "NP",
        "city": "",
        "summary_fr": (
            "Partenaire local au Népal, avec une longue expérience des programmes pour mettre "
            "fin à la traite d’humains."
        ),
        "summary_en": (
            "Local partner in Nepal, with long experience of programmes to end human trafficking."
        ),
    },
    {
        "key": "agrogothi-sangstha",
        "name_fr": "AGROGOTHI SANGSTHA",
        "name_en": "AGROGOTHI SANGSTHA",
        "slug_fr": "agrogothi-sangstha",
        "slug_en": "agrogothi-sangstha",
        "kind": "local",
        "country": "BD",
        "city": "",
        "summary_fr": (
            "Partenaire local au Bangladesh, avec une longue expérience des programmes pour "
            "mettre fin à la traite d’humains."
        ),
        "summary_en": (
            "Local partner in Bangladesh, with long experience of programmes to end human "
            "trafficking."
        ),
    },
]

PROJECT_BODY_FR = """<p>Le travail de Mumbai Smiles, auprès des victimes de la traite humaine dans \
la mégapole de Mumbai, a mis en lumière le fait qu’un grand nombre d’entre elles proviennent \
d’autres régions en Inde et de pays voisins. C’est pourquoi le projet actuel concentre ses \
efforts dans trois de ces régions : le Bengale occidental (Inde), le Népal et le Bangladesh \
avec comme objectif de prévenir la traite de personnes directement à la source. Le projet \
vise à autonomiser les jeunes filles, les jeunes garçons et les femmes des communautés \
locales ainsi qu’à générer des capacités et des ressources afin que celles-ci puissent \
elles-mêmes améliorer leurs conditions de vie sans avoir à aller ailleurs. Pour ce faire, \
Mumbai Smiles travaille en collaboration avec trois partenaires locaux qui ont une longue \
expérience dans la mise en œuvre de programmes pour mettre fin à la traite d’humains. Il \
s’agit de Goran Bose Gram Bikash Kendra au Bengale occidental, CHHORI au Népal et AGROGOTHI \
SANGSTHA au Bangladesh.</p>
<h2>Le partenariat Monde par la Main et la Fondation Mumbai Smiles</h2>
<p>Mumbai Smiles travaille de concert avec Monde par la Main depuis 2013. Notre organisme est \
fier d’avoir soutenu au fil des ans différents programmes et développement d’aptitudes, \
soutien et art social, développement économique des femmes, visant les communautés les plus \
vulnérables de la mégapole de Mumbai et entrevoit déjà les possibilités de synergie qui \
ressortiront de ces nouvelles collaborations.</p>"""

PROJECT_BODY_EN = """<p>Mumbai Smiles’ work with victims of human trafficking in the megacity \
of Mumbai has revealed that many of them come from other regions of India and from \
neighbouring countries. That is why this project focuses its efforts on three of those \
regions: West Bengal (India), Nepal and Bangladesh, with the aim of preventing human \
trafficking right at the source. The project seeks to empower girls, boys and women in local \
communities, and to build capacities and resources so that they can improve their own living \
conditions without having to go elsewhere. To do so, Mumbai Smiles works with three local \
partners that have long experience in running programmes to end human trafficking: Goran \
Bose Gram Bikash Kendra in West Bengal, CHHORI in Nepal and AGROGOTHI SANGSTHA in \
Bangladesh.</p>
<h2>The partnership between Monde par la Main and the Mumbai Smiles Foundation</h2>
<p>Mumbai Smiles has worked hand in hand with Monde par la Main since 2013. Over the years our \
organisation has proudly supported a range of programmes, in skills development, social \
support and art, and women’s economic development, for the most vulnerable communities of \
the megacity of Mumbai, and already sees the synergies that these new collaborations will \
bring.</p>"""

PROJECT = {
    "key": "prevenir-la-traite-des-etres-humains-dans-les-regions-rurales",
    "title_fr": "Prévenir la traite des êtres humains dans les régions rurales",
    "title_en": "Preventing human trafficking in rural regions",
    "slug_fr": "prevenir-la-traite-des-etres-humains-dans-les-regions-rurales",
    "slug_en": "preventing-human-trafficking-in-rural-regions",
    "subtitle_fr": "Une approche globale pour lutter contre ce fléau",
    "subtitle_en": "A comprehensive approach to fighting this scourge",
    "summary_fr": (
        "Avec Mumbai Smiles et trois partenaires locaux, prévenir la traite de personnes à la "
        "source, au Bengale occidental (Inde), au Népal et au Bangladesh."
    ),
    "summary_en": (
        "With Mumbai Smiles and three local partners, preventing human trafficking at the "
        "source, in West Bengal (India), Nepal and Bangladesh."
    ),
    "body_fr": PROJECT_BODY_FR,
    "body_en": PROJECT_BODY_EN,
    "beneficiaries": 4000,
    "beneficiaries_description_fr": "filles et garçons",
    "beneficiaries_description_en": "girls and boys",
    "status": "active",
    "is_published": True,
    "is_featured": True,
    "cover_alt_fr": (
        "Image provisoire : dégradé ocre et vert portant le titre du projet, en attendant "
        "une photo du terrain"
    ),
    "cover_alt_en": (
        "Placeholder image: an ochre and green gradient bearing the project's title, until a "
        "photo from the field is added"
    ),
    "regions": ["bengale-occidental", "nepal", "bangladesh"],
    "partnerships": [
        ("mumbai-smiles", "lead"),
        ("goran-bose-gram-bikash-kendra", "implementing"),
        ("chhori", "implementing"),
        ("agrogothi-sangstha", "implementing"),
    ],
}
