"""English topic bank: what each kind of demo facility does, owns and offers.

One entry per topic. `head`: "Name | lower-case name | pitch"; `codes`: "KETs / facility
types / scientific domains / NACE sections" (vocabulary codes, space-separated; the
first KET is the main one); `kw`: keywords; `eq`: equipment "name | category |
techniques | description" (the first is always included, so the searches an SME would
type find it); `srv`: services "name | service type | description | deliverables" (the
first is always offered).
"""

from __future__ import annotations

TAGLINES = (
    "{Pitch}",
    "{Topic} expertise for SMEs: {pitch}",
    "{Kw0}, {kw1} and {kw2} for companies in {region}",
)

TOPICS: dict[str, dict[str, str | tuple[str, ...]]] = {
    "photonics": {
        "head": "Photonics | photonics | from optical design to packaged photonic prototypes",
        "codes": "photonics micro-and-nanoelectronics / research-lab pilot-line core-facility cleanroom technology-centre / natural-sciences engineering-technology / c j m",
        "kw": "photonic integrated circuits; optical sensing; fibre optics; LIDAR; optical coatings; machine vision",
        "eq": (
            "Photonic wafer prober | metrology | wafer-level optical and electrical probing | Automated probing of photonic integrated circuits on 200 mm wafers.",
            "Optical spectrum analyser bench | spectroscopy | optical spectroscopy, polarisation analysis | Characterises lasers, LEDs and photonic chips from visible to near-infrared.",
            "Fibre alignment and packaging station | other | active fibre alignment, UV curing | Sub-micron alignment and bonding of fibres to photonic chips.",
            "Thin-film optical coater | cleanroom-processing | e-beam evaporation, ion-assisted deposition | Deposits anti-reflection and filter coatings on lenses and wafers.",
            "Hyperspectral imaging lab | spectroscopy | hyperspectral imaging, machine vision | Imaging set-up for quality inspection and sorting.",
        ),
        "srv": (
            "Photonic chip characterisation | measurement-analysis | Wafer-level and packaged-die testing of photonic integrated circuits and optical sensors. | test report; measurement data",
            "Optical prototype assembly | prototyping | Design, assembly and packaging of optical and photonic prototypes in small series. | working prototype; assembly documentation",
        ),
    },
    "laser": {
        "head": "Laser Processing | laser processing | laser cutting, welding and surface structuring of metals, polymers and composites",
        "codes": "advanced-manufacturing photonics / pilot-line research-lab technology-centre demonstrator / engineering-technology / c",
        "kw": "laser cutting; laser welding; composites; surface texturing; ultrashort pulse laser; laser cladding",
        "eq": (
            "Fibre laser cutting cell | laser-processing | laser cutting of metals, polymers and composites | 6 kW fibre laser with a 5-axis head for 2D and 3D laser cutting of sheet metal and composites.",
            "Ultrashort pulse laser workstation | laser-processing | femtosecond micromachining, surface texturing | Micromachining and drilling of glass, ceramics and carbon fibre composites without heat damage.",
            "Laser welding robot | laser-processing | remote laser welding, seam tracking | Robot-guided laser welding of battery tabs, housings and dissimilar metals.",
            "Laser cladding system | additive-manufacturing | directed energy deposition, laser cladding | Wear-resistant coatings and repair of tools and shafts.",
            "Optical 3D profilometer | metrology | surface roughness, kerf and weld seam geometry | Non-contact measurement of laser-processed surfaces.",
        ),
        "srv": (
            "Laser cutting trials | testing-validation | Process trials and parameter windows for laser cutting of metal sheets and fibre-reinforced composites. | cut samples; process parameter sheet",
            "Laser process development | proof-of-concept | Feasibility studies for laser welding, drilling and surface texturing of new parts. | feasibility report; sample parts",
        ),
    },
    "composites": {
        "head": "Composites | composites | design, manufacturing and testing of lightweight fibre-reinforced composite parts",
        "codes": "advanced-materials advanced-manufacturing / pilot-line research-lab testbed technology-centre / engineering-technology / c h f",
        "kw": "carbon fibre; CFRP; GFRP; lightweight structures; thermoplastic composites; automated fibre placement",
        "eq": (
            "Laser cutting and trimming cell for composites | laser-processing | laser cutting of CFRP and GFRP composites, edge trimming | Cuts and trims cured composite laminates with minimal delamination.",
            "Automated fibre placement robot | robotics | automated fibre placement, tape laying | Lays up thermoset and thermoplastic prepreg tapes for lightweight parts.",
            "Hot press and autoclave | other | autoclave curing, compression moulding | Cures composite laminates up to 2 × 1 m at 180 °C and 10 bar.",
            "Universal testing machine 250 kN | mechanical-testing | tensile, compression, interlaminar shear and fatigue testing | Mechanical testing of composites, metals and polymers to ISO and ASTM standards.",
            "Ultrasonic C-scan inspection | metrology | non-destructive testing, ultrasonic inspection | Detects voids and delaminations in composite panels.",
        ),
        "srv": (
            "Composite part prototyping | prototyping | Lay-up, curing and laser cutting of composite prototypes, from coupon to demonstrator part. | prototype parts; manufacturing report",
            "Mechanical testing of composites | testing-validation | Accredited tensile, flexural and fatigue tests on composite coupons and joints. | test report under ISO/IEC 17025",
        ),
    },
    "additive": {
        "head": "Additive Manufacturing | additive manufacturing | metal and polymer 3D printing, from design for additive manufacturing to qualified parts",
        "codes": "advanced-manufacturing advanced-materials / pilot-line core-facility technology-centre demonstrator / engineering-technology / c q",
        "kw": "3D printing; metal 3D printing; additive manufacturing; laser powder bed fusion; topology optimisation; post-processing",
        "eq": (
            "Metal 3D printing system (laser powder bed fusion) | additive-manufacturing | metal 3D printing in titanium, aluminium, steel and nickel alloys | Laser powder bed fusion printer with a 250 × 250 × 300 mm build volume.",
            "Polymer 3D printer fleet | additive-manufacturing | selective laser sintering, fused filament fabrication, stereolithography | Prints functional polymer prototypes and jigs overnight.",
            "Wire arc additive manufacturing cell | additive-manufacturing | wire arc additive manufacturing, robotic deposition | Builds large metal parts up to 1 m from welding wire.",
            "Industrial CT scanner | x-ray-analysis | X-ray computed tomography, porosity analysis | Inspects internal defects and dimensions of printed parts.",
            "Heat treatment and HIP furnace | thermal-analysis | stress relief, hot isostatic pressing | Post-processing of metal 3D printed parts.",
        ),
        "srv": (
            "Metal 3D printing of prototypes | prototyping | Design for additive manufacturing and metal 3D printing of prototypes and small series. | printed parts; build report",
            "Additive manufacturing feasibility study | proof-of-concept | Checks whether a part can be 3D printed in metal or polymer, with cost and quality estimates. | feasibility report; sample part",
        ),
    },
    "microfab": {
        "head": "Microfabrication | microfabrication | cleanroom processes for MEMS, sensors and semiconductor devices",
        "codes": "micro-and-nanoelectronics nanotechnology / cleanroom pilot-line core-facility / engineering-technology natural-sciences / c j",
        "kw": "cleanroom; ISO 6 cleanroom; ISO 5 cleanroom; MEMS; lithography; thin films; wafer processing",
        "eq": (
            "ISO 6 cleanroom with ISO 5 yellow-light bays | cleanroom-processing | cleanroom ISO 6 (ISO 14644-1 class 6), wet benches | 600 m² cleanroom ISO 6 for 100–200 mm wafer processing.",
            "Mask aligner for UV lithography | cleanroom-processing | photolithography, double-side alignment | Patterns features down to 1 µm on wafers and glass substrates.",
            "Deep reactive ion etcher | cleanroom-processing | DRIE, plasma etching of silicon | Etches high-aspect-ratio MEMS structures.",
            "Sputter and PECVD deposition cluster | cleanroom-processing | thin-film deposition, sputtering, PECVD | Metal and dielectric thin films for sensors and microelectronics.",
            "Wafer dicing and wire bonding line | other | dicing, die attach, wire bonding | Back-end packaging of MEMS and sensor chips.",
        ),
        "srv": (
            "Cleanroom access for start-ups | equipment-access | Supervised access to the ISO 6 cleanroom and its lithography, etching and deposition tools. | cleanroom hours; process log",
            "MEMS and sensor prototyping | prototyping | Process design and fabrication of MEMS and sensor prototypes in short loops. | processed wafers; process flow",
        ),
    },
    "nanomaterials": {
        "head": "Nanomaterials | nanomaterials | synthesis, functionalisation and safe scale-up of nanomaterials and coatings",
        "codes": "nanotechnology advanced-materials / research-lab core-facility cleanroom / natural-sciences engineering-technology / c e",
        "kw": "nanoparticles; graphene; functional coatings; nanocomposites; atomic layer deposition; nanosafety",
        "eq": (
            "Atomic layer deposition reactor | cleanroom-processing | atomic layer deposition, conformal nano-coatings | Deposits oxide and nitride films a few nanometres thick.",
            "Nanoparticle synthesis line | other | flame spray pyrolysis, sol-gel synthesis | Produces nanoparticles from grams to kilograms.",
            "Dynamic light scattering analyser | spectroscopy | particle size, zeta potential | Measures nanoparticle size distributions in liquids.",
            "Atomic force microscope | microscopy | AFM, nanoscale topography | Images surfaces with nanometre resolution.",
            "Glovebox and nanosafety enclosure | other | safe handling of nanopowders | Controlled-atmosphere handling of reactive nanomaterials.",
        ),
        "srv": (
            "Nanomaterial characterisation | measurement-analysis | Size, surface and composition analysis of nanoparticles and nanocoatings. | analysis report",
            "Coating scale-up trials | pilot-production | Scale-up of nanocoating recipes from lab coupons to pilot batches. | coated samples; scale-up report",
        ),
    },
    "characterisation": {
        "head": "Materials Characterisation | materials characterisation | electron microscopy and surface analysis for industrial failure analysis",
        "codes": "advanced-materials nanotechnology / core-facility research-lab mobile-platform / natural-sciences engineering-technology / c m",
        "kw": "electron microscopy; SEM; TEM; EDX; failure analysis; X-ray diffraction",
        "eq": (
            "Scanning electron microscope with EDX | microscopy | scanning electron microscopy, EDX elemental mapping | Field-emission SEM for electron microscopy of metals, polymers and electronics.",
            "Transmission electron microscope | microscopy | transmission electron microscopy, STEM, electron diffraction | 200 kV TEM for atomic-scale imaging of materials.",
            "Focused ion beam workstation | microscopy | FIB cross-sectioning, TEM lamella preparation | Prepares site-specific cross-sections for electron microscopy.",
            "X-ray diffractometer | x-ray-analysis | X-ray diffraction, phase analysis, residual stress | Identifies crystalline phases in powders and coatings.",
            "X-ray photoelectron spectrometer | spectroscopy | XPS surface chemistry | Analyses the composition of the top few nanometres of a surface.",
        ),
        "srv": (
            "Electron microscopy and failure analysis | measurement-analysis | SEM and TEM electron microscopy of defects, fractures and contamination, with EDX chemistry. | images; failure analysis report",
            "Materials characterisation package | testing-validation | Combined electron microscopy, X-ray diffraction and surface analysis for supplier qualification. | characterisation report",
        ),
    },
    "bioprocess": {
        "head": "Bioprocessing | bioprocessing | fermentation and bioprocess scale-up from shake flask to pilot scale",
        "codes": "industrial-biotechnology life-science-technologies / pilot-line research-lab demonstrator / natural-sciences engineering-technology agricultural-sciences / c a",
        "kw": "bioreactor; fermentation; pilot scale; downstream processing; biobased chemicals; precision fermentation",
        "eq": (
            "Pilot scale bioreactor train (10–1000 L) | bioreactors | pilot-scale fermentation, fed-batch and continuous culture | Bioreactor train at pilot scale for bacteria, yeast and fungi from 10 L to 1000 L.",
            "Parallel mini-bioreactor system | bioreactors | high-throughput bioprocess development | 24 parallel bioreactors for strain and media screening.",
            "Downstream processing line | chromatography | centrifugation, filtration, chromatography | Recovers and purifies proteins and biobased chemicals.",
            "Spray dryer | other | spray drying, formulation | Dries enzymes, probiotics and food ingredients.",
            "HPLC system | chromatography | liquid chromatography, metabolite analysis | Monitors substrates and products during fermentation.",
        ),
        "srv": (
            "Fermentation scale-up | pilot-production | Scale-up of fermentation processes in a pilot scale bioreactor, with transfer to production. | pilot batches; batch records",
            "Bioprocess development | proof-of-concept | Strain and process screening in mini-bioreactors to prove a biobased product concept. | process report; samples",
        ),
    },
    "analytical": {
        "head": "Analytical Chemistry | analytical chemistry | mass spectrometry and chromatography for product quality and safety",
        "codes": "life-science-technologies industrial-biotechnology / core-facility research-lab mobile-platform / natural-sciences medical-health-sciences / c q m",
        "kw": "mass spectrometry; LC-MS; GC-MS; proteomics; residue analysis; food safety",
        "eq": (
            "LC-MS/MS mass spectrometer | mass-spectrometry | liquid chromatography mass spectrometry, targeted quantification | Triple quadrupole mass spectrometer for trace analysis of residues and metabolites.",
            "High-resolution mass spectrometer | mass-spectrometry | high-resolution mass spectrometry, proteomics, untargeted screening | Identifies unknown compounds and proteins.",
            "GC-MS system | mass-spectrometry | gas chromatography mass spectrometry, volatiles | Analyses solvents, aromas and emissions.",
            "ICP-MS | mass-spectrometry | inductively coupled plasma mass spectrometry, trace metals | Measures trace elements down to ppt levels.",
            "NMR spectrometer 400 MHz | spectroscopy | NMR spectroscopy, structure elucidation | Confirms molecular structures.",
        ),
        "srv": (
            "Mass spectrometry analysis | measurement-analysis | Targeted and untargeted mass spectrometry of samples sent by mail, with interpretation. | analysis report; raw data",
            "Method development and validation | testing-validation | Development and validation of LC-MS and GC-MS methods for quality control. | validated method; validation report",
        ),
    },
    "biosamples": {
        "head": "Biosample | biosample | quality-controlled human, microbial and plant samples with data for R&D",
        "codes": "life-science-technologies / collection-biobank core-facility research-lab / medical-health-sciences natural-sciences / q m",
        "kw": "biobank; biosamples; cryostorage; microbial strains; sample logistics; ISO 20387",
        "eq": (
            "Automated −80 °C sample store | other | automated cryostorage, sample tracking | Stores up to 500,000 barcoded samples.",
            "Liquid nitrogen cryostorage | other | vapour-phase cryopreservation | Long-term storage of cells and strains.",
            "Nucleic acid extraction robot | robotics | automated DNA and RNA extraction | Prepares nucleic acids from tissue, blood and microbial cultures.",
            "Next-generation sequencer | other | DNA sequencing, genotyping | Sequences samples for quality control and research.",
            "Laboratory information management system | computing-hpc | sample tracking, consent management | Links every sample to its data and consent.",
        ),
        "srv": (
            "Access to biosamples and data | equipment-access | Access to annotated biosamples and associated data under a material transfer agreement. | samples; data set",
            "Biobanking advice | consultancy | Advice on sample collection, consent and storage for clinical studies and start-ups. | advice report",
        ),
    },
}
