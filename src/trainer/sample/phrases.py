"""Phrase pools for the bundled sample chat: an invented persona and two friends.

Juniper writes in lowercase, ends lines with "~", uses a small set of emoji (🌱 🍵 ✨ 🫶)
and signature phrases, and answers in bursts of two or three short messages. Theo writes
tidy sentences, Priya long excited ones. `{slot}` fields are filled from SLOTS.
"""

PERSONA = {"name": "Juniper Vale", "id": "user7700001"}
FRIENDS = [
    {"name": "Theo Marsh", "id": "user7700002"},
    {"name": "Priya Nair", "id": "user7700003"},
]
CHAT_NAME = "soup sundays"
CHAT_ID = 4455667788

PERSONA_EMOJI = ["🌱", "🍵", "✨", "🫶"]
SIGNATURES = [
    "okie dokie~",
    "hehe~",
    "no bc same",
    "tiny wins!!",
    "vibes~",
    "ok wait",
    "love that for us~",
    "brb watering the plants 🌱",
    "mochi says hi~",
    "big if true~",
]

SLOTS = {
    "food": [
        "ramen",
        "dumplings",
        "tomato soup",
        "pad thai",
        "falafel",
        "pancakes",
        "curry",
        "banana bread",
        "tacos",
        "miso soup",
        "lasagna",
        "pho",
    ],
    "day": ["saturday", "sunday", "friday", "tomorrow", "tonight", "monday", "next weekend"],
    "time": ["6", "7", "noon", "8ish", "half past 5", "10", "3"],
    "movie": [
        "the new ghibli one",
        "dune",
        "paddington 2",
        "knives out",
        "spirited away",
        "the grand budapest hotel",
        "past lives",
        "arrival",
    ],
    "plant": [
        "monstera",
        "pothos",
        "basil",
        "fern",
        "cactus",
        "snake plant",
        "fiddle leaf fig",
        "tomato seedlings",
    ],
    "place": [
        "the park",
        "the market",
        "the library",
        "the lake",
        "the old bookshop",
        "the cafe on 5th",
        "the beach",
        "the botanical garden",
    ],
    "band": [
        "phoebe bridgers",
        "the beatles",
        "radiohead",
        "mitski",
        "fleetwood mac",
        "bon iver",
        "lorde",
        "arctic monkeys",
    ],
    "game": ["stardew valley", "mario kart", "animal crossing", "tetris", "catan", "uno"],
    "book": ["piranesi", "the hobbit", "circe", "a little life", "dune", "norwegian wood"],
    "weather": ["rainy", "sunny", "freezing", "foggy", "windy", "hot"],
}

TOPICS = {
    "food": {
        "openers": [
            "Anyone up for {food} on {day}?",
            "I just made {food} and it turned out great.",
            "What should I cook tonight? I'm thinking {food}.",
            "OMG I found the BEST {food} place near {place}, we have to go!!",
        ],
        "friend": [
            "I can bring dessert.",
            "Sounds good to me. What time?",
            "Last time we had {food} it was amazing!!",
            "I'm in, but I have to leave early.",
            "Should we invite the others too?",
            "Wait, is it the place with the long queue?",
        ],
        "persona": [
            "omg yes {food}",
            "count me in~",
            "i could eat {food} every day tbh",
            "ok but can we get extra",
            "i'll bring tea 🍵",
            "my stomach just growled~",
            "{time} works for me",
            "the one by {place}? yesss",
            "saving room for dessert~",
            "i tried making {food} once and it was a disaster lol",
        ],
    },
    "plants": {
        "openers": [
            "How are your plants doing?",
            "My {plant} is dying, help!!",
            "Is it normal for a {plant} to have yellow leaves?",
            "I saw a huge {plant} at {place} today.",
        ],
        "friend": [
            "I think I'm overwatering it.",
            "It gets sun only in the morning.",
            "Should I repot it?",
            "You're the plant expert here haha.",
            "Mine never grows new leaves.",
        ],
        "persona": [
            "my {plant} has a new leaf 🌱",
            "water it less~ like way less",
            "they like bright indirect light",
            "repot in spring!!",
            "talk to it, i'm serious~",
            "yellow leaves = too much water usually",
            "i can give you a cutting 🌱",
            "the {plant} on my windowsill is thriving~",
            "bring it over and i'll look at it",
        ],
    },
    "plans": {
        "openers": [
            "What are you all doing on {day}?",
            "Let's go to {place} on {day}, the weather should be {weather}.",
            "I need a break. Any plans this weekend?",
            "Is anyone free around {time} {day}?",
        ],
        "friend": [
            "I'm free after lunch.",
            "Maybe, depends on the weather.",
            "I have to work until {time} unfortunately.",
            "Let's meet at {place}!",
            "Who's driving?",
        ],
        "persona": [
            "i'm free~",
            "{day} works!!",
            "ooh {place} sounds perfect",
            "i'll bring snacks~",
            "if it's {weather} i'm staying in lol",
            "let's do {time}?",
            "yesss a day out~",
            "can mochi come",
            "i need this so bad",
            "meet at the corner like always?",
        ],
    },
    "work": {
        "openers": [
            "Work was so stressful today.",
            "My boss wants the report by {day}.",
            "I finally finished that project!!",
            "How's the new job going?",
        ],
        "friend": [
            "I just need a weekend.",
            "At least it's almost over.",
            "Thanks, I really needed to hear that.",
            "Meetings all day, I'm exhausted.",
        ],
        "persona": [
            "sending good vibes~",
            "you got this ✨",
            "ugh that sounds exhausting",
            "proud of you!!",
            "the cafe was packed all day",
            "i spilled oat milk on myself again~",
            "treat yourself tonight ok",
            "tiny wins!!",
            "one thing at a time~",
            "my shift ends at {time} so i'm free after",
        ],
    },
    "media": {
        "openers": [
            "Has anyone seen {movie}?",
            "I'm rereading {book}, it's even better the second time.",
            "Listening to {band} nonstop this week.",
            "Movie night on {day}? I vote {movie}.",
            "Who wants to play {game} later?",
        ],
        "friend": [
            "I fell asleep halfway through haha.",
            "The ending was SO good!!",
            "I still haven't seen it.",
            "Their new album is great.",
            "Only if I don't lose again.",
        ],
        "persona": [
            "{movie} made me cry ok",
            "no spoilers pls~",
            "{band} is my whole personality rn",
            "i'm in for {game}~",
            "i'll make popcorn ✨",
            "{book} changed my life tbh",
            "ok but the soundtrack~",
            "i've watched it like 4 times",
            "let's do it~",
        ],
    },
    "cat": {
        "openers": [
            "How's Mochi?",
            "Send cat pics please.",
            "Did Mochi knock things over again?",
        ],
        "friend": [
            "She's so cute!!",
            "Cats are chaos.",
            "My neighbour's cat visits me every morning.",
        ],
        "persona": [
            "mochi is asleep on my keyboard~",
            "she knocked my {plant} over again",
            "mochi says hi~",
            "she only likes the expensive treats",
            "she's judging me rn",
            "sending pics in a sec~",
            "she sat in the laundry basket all day 🫶",
        ],
    },
    "weather": {
        "openers": [
            "It's so {weather} today.",
            "Did you see the forecast for {day}?",
            "I forgot my umbrella again.",
        ],
        "friend": [
            "I hate this weather.",
            "At least it's not snowing.",
            "Perfect weather for staying in.",
        ],
        "persona": [
            "perfect tea weather 🍵",
            "i love it when it's {weather} tbh",
            "stay dry~",
            "blanket and a book kind of day",
            "my plants are happy at least 🌱",
            "i'm wearing two sweaters~",
        ],
    },
}

# Optional words around a phrase, so that the same phrase rarely repeats word for word.
PERSONA_PREFIXES = ["", "", "", "ok ", "omg ", "wait ", "honestly ", "lowkey ", "ngl ", "ok but "]
PERSONA_SUFFIXES = ["", "", "", " tbh", " lol", " rn", " haha", "!!", " fr", " hehe"]
FRIEND_PREFIXES = ["", "", "", "Honestly, ", "Haha, ", "Well, ", "Oh, ", "Okay, ", "Hmm, "]
FRIEND_SUFFIXES = ["", "", "", " :)", " Anyway.", " 😄", " Right?", " No rush."]

REACTIONS = [
    "hehe~",
    "omg",
    "wait really",
    "noo~",
    "yesss",
    "aww",
    "lol",
    "same~",
    "that's so cute",
    "honestly",
    "okie~",
]

FRIEND_CLOSERS = ["Talk later!", "Good night everyone.", "See you then!", "Gotta run."]
PERSONA_CLOSERS = ["night night~", "see u~ ✨", "byee 🫶", "ok bye bye~", "sleep well~"]

# Messages with private data that redaction must remove; README.md in data/sample lists them.
PLANTED = [
    ("friend", "My new number is +1 415 555 0199, save it please."),
    ("persona", "my email is juniper.vale@example.com~ send me the photos there"),
    ("friend", "Can you pay for the tickets? Card 4111 1111 1111 1111, exp 04/27."),
    ("friend", "Rent goes to IBAN DE89 3704 0044 0532 0130 00 this month."),
    ("persona", "wifi password is mochi-loves-tuna-77 btw~"),
    ("friend", "The home server is at 192.168.1.42 if you need the files."),
    ("friend", "My login code is 518204, don't ask why I sent it here haha."),
]
