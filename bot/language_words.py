"""Words that tell Dutch from English in short, informal customer messages.

Only words that are common in one language and rare in the other; words both use
("is", "in", "was", "want", "hey", "ok") are left out on purpose.
"""

DUTCH = frozenset(
    """
    de het een en ik je jij jouw u uw mijn mij we wij ons onze hij zij ze niet niks niets geen
    nog steeds al ook maar wel dan dat dit deze die wat waar wanneer waarom hoe wie welke
    heb hebt heeft hebben ben bent zijn wordt worden werd word kan kun kunt kunnen wil wilt
    willen moet moeten mag mogen zou zouden gaat gaan komt komen krijg krijgen gedaan
    gekregen besteld bestelling bestelde pakket pakketje pakje bezorgd bezorging bezorger
    geleverd levering ontvangen binnen kapot stuk beschadigd lekt gelekt verkeerde verkeerd
    ontbreekt mist vandaag morgen gisteren uur dagen week weken geld terug terugbetaling
    tegoedbon korting graag alsjeblieft alstublieft bedankt dank dankjewel dankje hoi hallo
    goedemorgen goedemiddag doei ja nee jawel neen klopt prima oke oké top helemaal echt heel
    erg veel te laat weer zo zoals omdat sinds bij naar voor over onder met zonder tot na
    nu meteen snel even ff idd mn zn jullie iemand medewerker mens praten spreken klacht
    bestelnummer ordernummer postcode adres thuis deur brievenbus buren
    """.split()
)

ENGLISH = frozenset(
    """
    the a an and i you your my we our he she they it its not no nothing any still already
    also but then that this these those what where when why how who which have has having
    am are been being will would can could should must may might get got getting received
    ordered parcel package delivered delivery deliver courier arrived arrive broken
    damaged leaking leaked wrong missing today tomorrow yesterday hours days week weeks money
    back refund voucher discount please pls thanks thank hi hello morning afternoon bye
    goodbye yes yeah yep nope sure fine great really very too late again so because since
    with without from until after now right asap just someone person human agent talk speak
    complaint number address home door neighbour neighbor box item items replacement
    """.split()
)
