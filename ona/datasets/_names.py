"""Invented vocabulary for the simulated organisation: names, departments, teams, places.

Every name here is made up for the simulator; the domains are reserved example domains
(RFC 2606), so no address in a generated export can reach a real mailbox.
"""

from __future__ import annotations

__all__ = [
    "DEPARTMENTS",
    "FIRST_NAMES",
    "LAST_NAMES",
    "LOCATIONS",
    "OLD_DOMAIN",
    "ORG_DOMAIN",
    "PERSONAL_DOMAINS",
    "TEAM_WORDS",
]

ORG_DOMAIN = "kestrel.example"
OLD_DOMAIN = "kestrel-labs.example"  # the company's previous name: old addresses still arrive
PERSONAL_DOMAINS = ("example.net", "example.org")

# (name, share of the headcount). The first and third are the planted silo pair by default.
DEPARTMENTS = (
    ("Engineering", 0.32),
    ("Product", 0.13),
    ("Sales", 0.18),
    ("Marketing", 0.12),
    ("Finance", 0.10),
    ("Operations", 0.15),
)

# Team name stems by department; more departments than these reuse the generic list.
TEAM_WORDS = {
    "Engineering": [
        "Platform", "Payments", "Search", "Mobile", "Data", "Identity", "Infrastructure",
        "Checkout", "Reliability", "Developer Tools", "Billing", "Security", "Web", "API",
    ],
    "Product": ["Discovery", "Design", "Research", "Growth", "Analytics", "Onboarding"],
    "Sales": ["Enterprise", "Mid-Market", "EMEA Sales", "Americas Sales", "Partnerships",
              "Sales Ops", "Renewals", "Solutions"],
    "Marketing": ["Brand", "Content", "Demand Gen", "Events", "Product Marketing"],
    "Finance": ["Accounting", "FP&A", "Procurement", "Payroll", "Tax"],
    "Operations": ["People", "Legal", "Facilities", "IT Support", "Recruiting", "Workplace"],
    "_generic": ["Alpha", "Beta", "Gamma", "Delta", "Epsilon", "Zeta", "Eta", "Theta",
                 "Iota", "Kappa", "Lambda", "Sigma"],
}  # fmt: skip

# (city, UTC offset in minutes, share). Fixed offsets keep Date headers reproducible on any
# machine (no dependence on the local time-zone database).
LOCATIONS = (
    ("London", 0, 0.34),
    ("Berlin", 60, 0.22),
    ("Lisbon", 0, 0.12),
    ("New York", -300, 0.2),
    ("Bengaluru", 330, 0.12),
)

FIRST_NAMES = (
    "Ada", "Adrian", "Aisha", "Alba", "Aleksander", "Amara", "Ana", "Anders", "Anika", "Arjun",
    "Beatriz", "Ben", "Björn", "Bruno", "Camille", "Carmen", "Chen", "Chidi", "Chloé", "Clara",
    "Dario", "Dev", "Elif", "Elena", "Emil", "Esther", "Farah", "Felix", "Freya", "Gabriel",
    "Grace", "Hana", "Hugo", "Ines", "Ivan", "Jamal", "Jana", "Javier", "Jonas", "José",
    "Julia", "Kai", "Karin", "Kenji", "Laila", "Lars", "Leah", "Léon", "Lina", "Lucas",
    "Łukasz", "Maeve", "Malik", "Mara", "Marta", "Mateo", "Maya", "Mei", "Mikael", "Nadia",
    "Nia", "Nikolai", "Noémie", "Nora", "Omar", "Oskar", "Priya", "Rafael", "Rania", "Ravi",
    "Rosa", "Ruth", "Samir", "Sara", "Siobhan", "Søren", "Tariq", "Thea", "Tomás", "Uma",
    "Vera", "Viktor", "Wen", "Yara", "Yusuf", "Zara", "Zoë",
)  # fmt: skip

LAST_NAMES = (
    "Abara", "Ahmed", "Andersen", "Baker", "Bauer", "Bianchi", "Brennan", "Castro", "Chandra",
    "Costa", "Dąbrowska", "Das", "Dubois", "Eriksen", "Ferreira", "Fischer", "Fontaine",
    "García", "Gonzalez", "Haddad", "Hansen", "Hartmann", "Hoffmann", "Ibrahim", "Ivanova",
    "Jansen", "Jensen", "Kaur", "Keller", "Khan", "Kim", "Kowalski", "Kumar", "Larsen",
    "Lefèvre", "Lindqvist", "Lopes", "Martin", "Mehta", "Meyer", "Moreau", "Müller",
    "Nakamura", "Nguyen", "Novak", "Núñez", "O'Connor", "Okafor", "Olsen", "Park", "Patel",
    "Pereira", "Petrov", "Quinn", "Rahman", "Reyes", "Richter", "Rossi", "Santos", "Schmidt",
    "Silva", "Singh", "Sokolova", "Suzuki", "Tanaka", "Torres", "Varga", "Vogel", "Walsh",
    "Weber", "Wójcik", "Yilmaz", "Zhang", "Zimmermann",
)  # fmt: skip
