"""The fixed cast of the demo: merchants, people, products, places and words.

Plain data, read by `demo.orders.seed`. Every address below ends in a reserved
`.example` domain or `example.com`, so no mail can reach a real person.
"""

from decimal import Decimal

DEMO_PASSWORD = "demo-pass-2026"
SUPERUSER = ("admin", "admin@performile.example")

MERCHANTS = [
    {
        "key": "nordic",
        "name": "Nordic Goods AB",
        "slug": "nordic-goods",
        "timezone": "Europe/Stockholm",
        "default_currency": "SEK",
        "stores": [
            {
                "key": "shopify",
                "name": "Nordic Goods Shopify",
                "platform": "shopify",
                "domain": "nordic-goods.myshopify.com",
                "support_email": "support@nordic.example",
                "sms_number": "+46766860001",
                "currency": "SEK",
                "language": "sv",
                "webhook_secret": "demo-nordic-shopify-secret",
                "pickup_address": {
                    "name": "Nordic Goods warehouse",
                    "line1": "Lagervägen 12",
                    "postal_code": "17154",
                    "city": "Solna",
                    "country": "SE",
                    "phone": "+46812345678",
                },
            },
            {
                "key": "woo",
                "name": "Nordic Goods Woo",
                "platform": "woocommerce",
                "domain": "https://fjordtrade.example",
                "support_email": "hjelp@fjordtrade.example",
                "sms_number": "+4759440001",
                "currency": "NOK",
                "language": "nb",
                "webhook_secret": "demo-nordic-woo-secret",
                "pickup_address": {
                    "name": "Fjordtrade lager",
                    "line1": "Lagerveien 4",
                    "postal_code": "0668",
                    "city": "Oslo",
                    "country": "NO",
                    "phone": "+4722123456",
                },
            },
        ],
    },
    {
        "key": "pixel",
        "name": "Pixel Forge Studio",
        "slug": "pixel-forge",
        "timezone": "Europe/Copenhagen",
        "default_currency": "USD",
        "stores": [
            {
                "key": "discord",
                "name": "Pixel Forge Discord",
                "platform": "discord",
                "domain": "discord.gg/pixelforge",
                "currency": "USD",
                # Sells worldwide on Discord: English, and each Discord user's
                # own client language answers /trackorder (docs/decisions.md).
                "language": "en",
                "webhook_secret": "demo-pixel-discord-secret",
                "pickup_address": {
                    "name": "Pixel Forge Studio",
                    "line1": "Vesterbrogade 10",
                    "postal_code": "1620",
                    "city": "København",
                    "country": "DK",
                    "phone": "+4533123456",
                },
            },
        ],
    },
]

# (email, first name, last name, merchant key, role, stores owned by a reseller)
MEMBERS = [
    ("admin@nordic.example", "Astrid", "Lindqvist", "nordic", "admin", ()),
    ("erik@nordic.example", "Erik", "Johansson", "nordic", "staff", ()),
    ("sofia@nordic.example", "Sofia", "Berg", "nordic", "staff", ()),
    ("lars@fjordtrade.example", "Lars", "Haugen", "nordic", "reseller", ("woo",)),
    ("packing@nordicsupply.example", "Mikkel", "Sørensen", "nordic", "supplier", ()),
    ("admin@pixelforge.example", "Jonas", "Weber", "pixel", "admin", ()),
    ("maya@pixelforge.example", "Maya", "Chen", "pixel", "staff", ()),
]

# Customers who also sign in to the portal: (email, first, last, merchant, country).
PORTAL_CUSTOMERS = [
    ("anna.svensson@example.com", "Anna", "Svensson", "nordic", "SE"),
    ("ole.hansen@example.com", "Ole", "Hansen", "nordic", "NO"),
    ("mette.larsen@example.com", "Mette", "Larsen", "nordic", "DK"),
    ("kai.nakamura@example.com", "Kai", "Nakamura", "pixel", ""),
]
# The portal customers who chose their own language (the rest get their store's):
# Ole and Mette order from the Swedish shop but read Norwegian and Danish.
PORTAL_LANGUAGES = {
    "ole.hansen@example.com": "nb",
    "mette.larsen@example.com": "da",
}

FIRST_NAMES = {
    "SE": ["Elsa", "Johan", "Maja", "Oskar", "Ingrid", "Nils", "Freja", "Gustav"],
    "NO": ["Nora", "Henrik", "Sigrid", "Magnus", "Ingeborg", "Even", "Tuva", "Sindre"],
    "DK": ["Ida", "Rasmus", "Freya", "Mads", "Karen", "Søren", "Clara", "Emil"],
}
LAST_NAMES = {
    "SE": ["Andersson", "Karlsson", "Nilsson", "Eriksson", "Larsson", "Olsson"],
    "NO": ["Johansen", "Olsen", "Berg", "Haugland", "Nilsen", "Dahl"],
    "DK": ["Nielsen", "Jensen", "Pedersen", "Kristensen", "Madsen", "Holm"],
}
# (city, postal codes, streets)
PLACES = {
    "SE": [
        ("Stockholm", ["111 22", "113 46", "116 45"], ["Sveavägen", "Götgatan"]),
        ("Göteborg", ["411 04", "413 19"], ["Linnégatan", "Vasagatan"]),
        ("Malmö", ["211 20", "214 21"], ["Södra Förstadsgatan", "Davidshallsgatan"]),
        ("Uppsala", ["753 20"], ["Dragarbrunnsgatan", "Kungsgatan"]),
    ],
    "NO": [
        ("Oslo", ["0154", "0555", "0355"], ["Thorvald Meyers gate", "Bogstadveien"]),
        ("Bergen", ["5003", "5014"], ["Nygårdsgaten", "Kong Oscars gate"]),
        ("Trondheim", ["7011"], ["Olav Tryggvasons gate", "Prinsens gate"]),
    ],
    "DK": [
        ("København", ["1620", "2200", "2100"], ["Vesterbrogade", "Nørrebrogade"]),
        ("Aarhus", ["8000"], ["Jægergårdsgade", "Frederiksgade"]),
        ("Odense", ["5000"], ["Vestergade", "Kongensgade"]),
    ],
}
# Mobile numbers: (country code, possible first digits, digits after them).
PHONES = {
    "SE": ("+46", ["70", "72", "73", "76"], 7),
    "NO": ("+47", ["4", "9"], 7),
    "DK": ("+45", ["2", "3", "4", "5"], 7),
}

DISCORD_CUSTOMERS = [
    ("Liam Carter", "liam.carter@example.com"),
    ("Zoe Martin", "zoe.martin@example.com"),
    ("Diego Ramos", "diego.ramos@example.com"),
    ("Hana Kobayashi", "hana.k@example.com"),
    ("Noah Fischer", "noah.fischer@example.com"),
    ("Ava Thompson", "ava.t@example.com"),
    ("Mateo Rossi", "mateo.rossi@example.com"),
    ("Chloe Dubois", "chloe.dubois@example.com"),
]

# (sku, title, price, weight in kg)
PRODUCTS = [
    ("NG-MUG-SND", "Stoneware mug, sand", Decimal("189.00"), 0.4),
    ("NG-MUG-FOG", "Stoneware mug, fog", Decimal("189.00"), 0.4),
    ("NG-SOCK-MW", "Merino wool socks", Decimal("149.00"), 0.1),
    ("NG-THROW-M", "Lambswool throw, moss", Decimal("1290.00"), 1.2),
    ("NG-TOWEL-L", "Linen tea towel", Decimal("129.00"), 0.1),
    ("NG-CANDL-3", "Beeswax candles, 3-pack", Decimal("219.00"), 0.5),
    ("NG-BOARD-O", "Oak cutting board", Decimal("449.00"), 1.1),
    ("NG-LAMP-PP", "Paper pendant lamp", Decimal("899.00"), 0.9),
    ("NG-MITT-KN", "Knitted mittens", Decimal("259.00"), 0.2),
    ("NG-CARAF-1", "Glass carafe 1 l", Decimal("349.00"), 0.8),
    ("NG-TRAY-BR", "Birch serving tray", Decimal("399.00"), 0.7),
    ("NG-SCARF-G", "Wool scarf, grey", Decimal("549.00"), 0.3),
]
# (length, width, height) in cm
BOXES = [(25, 18, 10), (35, 25, 15), (50, 40, 20)]

# (name, price range in USD, scopes)
SERVICES = [
    (
        "Bot Development",
        (250, 1500),
        [
            "Ticket bot with transcripts",
            "Economy bot with leaderboards",
            "Music bot with playlists",
        ],
    ),
    (
        "Website Design",
        (400, 2500),
        ["Landing page for a game studio", "Portfolio site, 5 pages"],
    ),
    (
        "Discord Server Setup",
        (60, 200),
        ["Roles, channels and onboarding", "Community server from template"],
    ),
    ("Logo Design", (80, 300), ["Logo with 3 concepts", "Logo refresh"]),
    ("Custom Emotes", (25, 120), ["Emote pack (10)", "Animated emotes (4)"]),
    ("Moderation Bot Setup", (90, 250), ["AutoMod rules and logging"]),
]
# Payment methods by how the order arrived.
PAYMENT_METHODS = {
    "shopify": ["shopify_payments", "klarna", "swish"],
    "woo": ["vipps", "stripe"],
    "manual": ["invoice", "swish"],
    "discord": ["stripe", "paypal"],
}

# The couriers that deliver to each country, most used first.
COURIERS = {
    "SE": ["PostNord", "DHL"],
    "NO": ["Bring", "DHL"],
    "DK": ["PostNord", "DHL"],
}
TRACKING_URLS = {
    "PostNord": "https://tracking.postnord.com/se/?id={}",
    "Bring": "https://tracking.bring.com/tracking/{}",
    "DHL": "https://www.dhl.com/se-en/home/tracking.html?tracking-id={}",
}

CUSTOMER_NOTES = [
    "Leave at the door if nobody answers.",
    "Gift: please leave out the receipt.",
    "Ring twice, the bell is weak.",
    "Please deliver to the service point instead.",
    "Can you wrap the mugs extra well?",
]
SERVICE_BRIEFS = [
    "Server has ~4k members; needs slash commands.",
    "Brand colours: #5865F2 and #23272A.",
    "Deadline before our launch stream on Friday.",
    "Please reuse the assets from our last order.",
]

# Notes on status changes, keyed by (from, to); "*" matches any origin.
TRANSITION_NOTES = {
    ("pending", "payment_verified"): [
        "Payment captured.",
        "Klarna payment approved.",
        "Bank transfer received.",
    ],
    ("*", "confirmed"): [
        "Stock reserved, picking list printed.",
        "All items in stock; packing today.",
        "Confirmed with the customer by phone.",
    ],
    ("confirmed", "shipped"): [
        "Handed over to the courier.",
        "Packed and collected by the driver.",
        "Left at the service point drop-off.",
    ],
    ("shipped", "delivered"): [
        "Delivered to the mailbox.",
        "Picked up at the service point.",
        "Delivered, signed by the recipient.",
    ],
    ("delivered", "complete"): ["Return window closed (14 days)."],
    ("*", "on_hold"): [
        "Address incomplete; waiting for the customer to confirm the flat number.",
        "One item back-ordered until next week.",
        "Payment flagged for manual review.",
    ],
    ("on_hold", "confirmed"): ["Customer confirmed the address; resuming."],
    ("*", "cancelled"): [
        "Customer asked to cancel by email.",
        "Payment failed after three attempts.",
        "Duplicate of an earlier order.",
    ],
    ("payment_verified", "in_progress"): [
        "Kickoff call done; scope agreed in the ticket.",
        "Started on the first draft.",
    ],
    ("in_progress", "in_review"): [
        "First version delivered for review.",
        "Preview link sent to the client.",
    ],
    ("in_review", "in_progress"): [
        "Client asked for changes to the colours.",
        "Client wants one more command added.",
    ],
    ("in_review", "complete"): [
        "Client approved the delivery.",
        "Final files delivered; client happy.",
    ],
    ("in_progress", "on_hold"): [
        "Waiting for server access from the client.",
        "Client is away until next week.",
    ],
}
