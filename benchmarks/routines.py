"""Three people's routines for benchmarks/predict.py, written in their own words and NOT around
any code here: a nurse on a weekly rota of day and night shifts, a retired gardener, a student.
Each activity has several paraphrases (one is picked per day); `NOISE` holds one-off remarks that
belong to no routine. Plans are (hour, activity) per weekday (0 = Monday); a callable picks by date.
"""
from __future__ import annotations

NURSE = {
    "says": {
        "handover": ["Handover on ward six, two new admissions overnight.", "Morning handover, Sister went through the obs charts.",
                     "Took report from the night team, busy bay four.", "Handover done, I've got the side rooms today."],
        "drug round": ["Drug round took forever, the trolley keys went missing again.", "Doing the meds round on bay two.",
                       "Medication round, checked the controlled drugs with Priya.", "Ten o'clock meds, IV antibiotics due for bed nine."],
        "break": ["Finally a break in the staff room, cold toast.", "Twenty minutes off my feet in the staff room.",
                  "Lunch break, ate a sandwich by the vending machine.", "Quick break, tea and a biscuit with the HCAs."],
        "drive home": ["Driving home on the ring road, radio on loud.", "Long drive back after the shift, roads empty.",
                       "In the car home, so tired my eyes sting.", "Motorway home, stopped for petrol."],
        "sleep after nights": ["Blackout blinds down, trying to sleep after the night shift.", "Crashed into bed at half eight in the morning.",
                               "Day sleep after nights, earplugs in.", "Slept till two, still groggy from the night."],
        "yoga": ["Yoga class at the leisure centre, my back thanked me.", "Stretching at yoga, the teacher made us hold pigeon pose.",
                 "Evening yoga session, very calm.", "Went to vinyasa class, sweaty but good."],
        "batch cooking": ["Batch cooking chilli for the week's shifts.", "Filled the freezer with soup portions for work.",
                          "Meal prep: six boxes of curry and rice.", "Cooked a big pot of stew to take in on shift."],
        "dog walk": ["Took Biscuit round the reservoir.", "Walked the dog along the reservoir path, muddy paws.",
                     "Biscuit's walk, he chased the geese.", "Long dog walk up past the reservoir."],
        "call mum": ["Rang Mum, she's worried about her hip.", "Phone call with Mum for an hour.",
                     "Called my mother, she told me all the village news.", "Caught up with Mum on the phone."],
    },
    # Mon-Wed day shifts, Thu-Fri off, Sat-Sun night shifts
    "plan": {
        **{d: [(7.0, "handover"), (10.0, "drug round"), (13.5, "break"), (19.6, "drive home"), (21.0, "call mum")] for d in (0, 1, 2)},
        3: [(10.5, "batch cooking"), (14.0, "dog walk"), (18.5, "yoga")],
        4: [(9.5, "dog walk"), (12.0, "batch cooking"), (17.0, "call mum")],
        **{d: [(9.0, "sleep after nights"), (15.5, "dog walk"), (19.0, "handover"), (22.0, "drug round"), (25.5, "break")] for d in (5, 6)},
    },
}

GARDENER = {
    "says": {
        "hens": ["Let the hens out and collected four eggs.", "Fed the chickens, the speckled one is laying again.",
                 "Hens fed and watered, fox hasn't been back.", "Egg collecting, three brown and one white."],
        "crossword": ["Crossword with my tea, stuck on seven down.", "Did the cryptic over a pot of tea.",
                      "Tea and the crossword, finished it for once.", "Puzzled over the crossword clues with my cuppa."],
        "vegetable beds": ["Weeding the vegetable beds, bindweed everywhere.", "Hoed between the leeks and onions.",
                           "Spent the morning digging over the potato patch.", "Pulled weeds from the carrot rows."],
        "bowls": ["Bowls at the club, our rink won by three shots.", "Afternoon at the bowling green with Harold.",
                  "Played bowls, my wood kept drifting left.", "Lawn bowls match against the Rotary lot."],
        "nap": ["Forty winks in the armchair.", "Dozed off after lunch in my chair.",
                "Afternoon nap, woke up with the paper on my chest.", "Had a snooze by the fire."],
        "greenhouse": ["Watering the tomatoes in the greenhouse.", "Evening watering, the greenhouse was still warm.",
                       "Greenhouse chores, pinched out the side shoots.", "Filled the cans and watered the seedlings."],
        "allotment committee": ["Allotment committee meeting, the water trough row again.", "Committee at the allotment hut, minutes and biscuits.",
                                "Allotment society meeting, we agreed the plot rents.", "Chaired the allotment committee, long agenda."],
        "choir": ["Sang with the church choir, the anthem went well.", "Choir at St Mary's, my tenor line wobbled.",
                  "Church choir this morning, lovely hymns.", "Sunday choir practice then the service."],
        "grandchildren": ["The grandchildren came, we built a den.", "Lily and Tom visited, made them pancakes.",
                          "Grandkids over for the afternoon, chaos.", "Took the grandchildren to feed the ducks."],
    },
    "plan": {
        **{d: [(7.0, "hens"), (8.5, "crossword"), (10.0, "vegetable beds"), (13.5, "nap"), (18.5, "greenhouse")] for d in (0, 2)},
        **{d: [(7.0, "hens"), (8.5, "crossword"), (10.0, "vegetable beds"), (14.5, "bowls"), (18.5, "greenhouse")] for d in (1, 4)},
        3: [(7.0, "hens"), (8.5, "crossword"), (11.0, "allotment committee"), (13.5, "nap"), (18.5, "greenhouse")],
        5: [(7.5, "hens"), (9.0, "crossword"), (13.0, "grandchildren"), (18.5, "greenhouse")],
        6: [(7.5, "hens"), (10.0, "choir"), (14.0, "nap"), (18.5, "greenhouse")],
    },
}

STUDENT = {
    "says": {
        "lecture": ["Econometrics lecture, barely followed the proofs.", "Sat at the back of the lecture theatre, prof was late.",
                    "Lecture on game theory, took loads of notes.", "Nine o'clock lecture, half the class missing."],
        "lab": ["Chemistry lab, titrations all afternoon.", "Lab practical, our buffer solution went cloudy.",
                "Three hours in the lab in goggles.", "Lab session, wrote up the spectroscopy results."],
        "library": ["Revising in the library until my eyes hurt.", "Library, third floor quiet zone, essay draft.",
                    "Worked on the problem set in the library.", "Got a desk in the library and read two papers."],
        "gym": ["Gym with Kofi, leg day.", "Hit the campus gym, new deadlift PB.",
                "Quick gym session, treadmill and weights.", "Went lifting at the sports centre."],
        "pasta": ["Cooked pasta with the flatmates, someone burnt the garlic.", "Flat dinner, spaghetti again.",
                  "Made a massive pasta bake for the flat.", "Penne and pesto in the shared kitchen."],
        "gaming": ["Gaming online with the lads till late.", "Played FIFA in the common room.",
                   "Late night on the console, lost every match.", "Ranked games on the PC, tilted."],
        "bar shift": ["Shift behind the bar at the Crown, packed.", "Pulling pints at work, good tips tonight.",
                      "Bar shift, a stag do took over the back room.", "Working the bar, cleaned glasses till close."],
        "brunch": ["Lie-in then a fry-up brunch.", "Slept late, brunch at the greasy spoon.",
                   "Weekend brunch with hash browns and too much coffee.", "Eggs and beans brunch around noon."],
        "call home": ["Video call with Mum and Dad, they asked about exams.", "Facetimed home, the dog barked at the screen.",
                      "Sunday call with my parents.", "Called home, Dad showed me the new shed."],
    },
    "plan": {
        **{d: [(10.0, "lecture"), (12.5, "library"), (17.0, "gym"), (19.5, "pasta"), (22.5, "gaming")] for d in (0, 2)},
        **{d: [(11.0, "library"), (14.0, "lab"), (19.5, "pasta"), (22.5, "gaming")] for d in (1, 3)},
        4: [(10.0, "lecture"), (13.0, "library"), (16.5, "gym"), (20.0, "bar shift")],
        5: [(12.0, "brunch"), (16.0, "gym"), (20.0, "bar shift")],
        6: [(12.0, "brunch"), (15.0, "library"), (18.0, "call home"), (22.0, "gaming")],
    },
}

NOISE = ["The boiler made that clicking noise again.", "Saw a heron on the way.", "Parcel came for next door.",
         "Headache all afternoon.", "Found a tenner in my coat pocket.", "The internet was down for an hour.",
         "Thinking about repainting the hallway.", "Bought a new umbrella.", "Rain hammering on the window.",
         "Lost my keys, found them in the fridge.", "A wasp got in and I chased it out.", "Booked a dentist appointment.",
         "Read an article about octopuses.", "Cut my finger on a tin.", "The neighbours are arguing again."]

ROUTINES = {"nurse on rota shifts": NURSE, "retired gardener": GARDENER, "student": STUDENT}
