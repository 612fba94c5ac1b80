"""How much free text one field takes (issue 23): the model, the forms and the API agree
because each reads this. A note of evidence, an item's description: 5,000 characters, a
long page of text; what a person writes is never megabytes."""

TEXT_MAX = 5000
